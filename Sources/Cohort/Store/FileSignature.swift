import Foundation

/// What polling compares to notice that a file changed without reading it: the identity
/// (device and inode) of the file the path leads to after following symbolic links, its
/// size and its modification time. A write in place changes the time and usually the size;
/// a replacement by rename (an editor's save, `mv`, a Kubernetes ConfigMap's symlink swap)
/// changes the inode even when the new file's time is older.
package struct FileSignature: Hashable, Sendable {
    package var device: UInt64
    package var inode: UInt64
    package var size: UInt64
    package var modified: Double

    /// The signature of the file at `path` now; nil when there is none (or it cannot be read).
    package init?(path: String) {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else { return nil }
        device = (attributes[.systemNumber] as? NSNumber)?.uint64Value ?? 0
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }
}
