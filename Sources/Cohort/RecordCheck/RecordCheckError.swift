/// Why a records file could not be checked at all (it cannot be opened or read to its end).
package struct RecordCheckError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for people.
    package var message: String

    package init(_ message: String) { self.message = message }

    package var description: String { message }
}
