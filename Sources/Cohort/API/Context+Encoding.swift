import Foundation

extension Context {
    /// A context with one root, read from an `Encodable` value: your own `User` struct
    /// becomes the `user` the rules read.
    ///
    /// ```swift
    /// struct User: Encodable { var id: String; var plan: String; var signedUpAt: Date }
    /// let encoder = JSONEncoder()
    /// encoder.keyEncodingStrategy = .convertToSnakeCase   // signedUpAt → signed_up_at
    /// encoder.dateEncodingStrategy = .iso8601              // so time(user.signed_up_at) reads it
    /// let context = try Context(encoding: user, as: "user", encoder: encoder)
    /// ```
    ///
    /// The value goes through `encoder` to JSON and back through the library's JSON reader,
    /// so the keys are the ones the `Encodable` writes: its property names (usually
    /// camelCase, `signedUpAt`) unless its `CodingKeys` or the encoder's
    /// `keyEncodingStrategy` say otherwise. Rules written with snake_case paths
    /// (`user.signed_up_at`) then read a missing attribute, and flags quietly serve their
    /// defaults: check a context once with `Context.validate(against:)`, which lists the
    /// paths the rules read that the context lacks. Dates encode as the encoder's
    /// `dateEncodingStrategy` says (by default a number of seconds since 2001, which
    /// `time(...)` does not read: use `.iso8601`).
    /// - Parameters:
    ///   - value: the attributes of the root, usually a struct or a dictionary.
    ///   - root: the name rules start from (`user`, `device`, `org`).
    ///   - encoder: the encoder to use, with its key, date and data strategies.
    /// - Throws: the encoder's `EncodingError`, or ``JSONError`` if its output cannot be read
    ///   (a number too large for a double).
    public init(encoding value: some Encodable, as root: String = "user", encoder: JSONEncoder = JSONEncoder()) throws {
        let data = try encoder.encode(value)
        self.init([root: try Value(jsonBytes: data)])
    }
}
