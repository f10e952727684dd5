/// A Foundation value that has no ``Value`` counterpart: something other than `NSNull`, a
/// boolean, a finite number, a string, a date, an array, or a dictionary with string keys.
/// Thrown by ``Value/init(any:)``.
public struct ValueConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the value sits in what was converted, as rules spell paths: `tags[2]`,
    /// `address.city`; empty for the value itself.
    public var path: String
    /// The Swift type found there (`URL`, `Data`, `Dictionary<Int, String>`).
    public var typeName: String
    /// Why it cannot be converted.
    public var message: String

    /// An error about the value at `path`.
    public init(path: String, typeName: String, message: String) {
        self.path = path
        self.typeName = typeName
        self.message = message
    }

    /// `tags[2]: a URL is not a JSON value …`, or the message alone at the top level.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
