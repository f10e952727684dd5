#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RecordCheck {
    /// Reads a whole records file (`-`: standard input) with batch's `ChunkReader`,
    /// tallies the chunks on `jobs` threads as they are read (`ChunkPipeline`), and merges
    /// the tallies in input order.
    package func run(path: String, format: RecordFormat, jobs: Int, chunkBytes: Int = 1 << 20) throws(RecordCheckError) -> RecordTally {
        let input: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RecordCheckError("cannot read '\(path)': \(String(cString: strerror(errno)))") }
        defer { if input != 0 { close(input) } }
        var info = stat()
        if fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw RecordCheckError("cannot read '\(path)': is a directory")
        }
        let check = self
        var total = makeTally()
        var first = true
        let ending = ChunkPipeline.run(ChunkReader(descriptor: input, format: format, chunkBytes: chunkBytes), jobs: max(1, jobs),
                                       process: { chunk in
            chunk.bytes.withUnsafeBytes { buffer in
                // The keys of the first records lend "did you mean" its candidates.
                check.tally(buffer, records: chunk.records, format: format, csvHeader: chunk.csvHeader,
                            sampleKeys: chunk.records.first?.line ?? .max <= check.options.keySample + 1)
            }
        }, consume: { tally, _ in
            if first {
                total = tally
                first = false
            } else {
                total.merge(tally)
            }
            return true
        })
        if case .inputFailed(let error) = ending { throw RecordCheckError(error.message) }
        return total
    }
}
