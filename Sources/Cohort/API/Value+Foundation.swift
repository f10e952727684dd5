import Foundation

/// Values from what Foundation's `JSONSerialization` returns, and from `[String: Any]`
/// dictionaries built by hand.
extension Value {
    /// Converts a Foundation or Swift value: `NSNull` and `nil` become `null`; booleans
    /// `bool`; numbers (`NSNumber`, `Int`, `Double`, any integer or floating-point type)
    /// `number`; `String` and `Substring` `string`; `Date` `time`; arrays `list`; dictionaries
    /// with `String` keys `object`, converted all the way down. A ``Value`` stays as it is.
    ///
    /// ```swift
    /// let object = try JSONSerialization.jsonObject(with: body)
    /// let context = Context(["user": try Value(any: object)])
    /// ```
    ///
    /// `JSONSerialization` returns both `true` and `1` as an `NSNumber`, and Swift's `as?
    /// Bool` accepts either; this initializer tells them apart by the number's type, so
    /// `true` is `.bool(true)` and `1` is `.number(1)`. A number is a `Double`: integers
    /// beyond 2^53 are rounded, as in JSON read any other way.
    /// - Throws: ``ValueConversionError`` naming the path of the first value that has no
    ///   counterpart (a `URL`, `Data`, a non-finite number, a dictionary with non-string keys).
    public init(any: Any) throws(ValueConversionError) {
        self = try Value.converting(any, path: [])
    }

    /// The conversion of `any`, found at `path` (keys and indices from the top).
    private static func converting(_ any: Any, path: [PathStep]) throws(ValueConversionError) -> Value {
        // An NSNumber object first, told apart by its class: on Linux `NSNumber(1) as Any
        // is Bool` is true, so a bridging cast cannot tell a boolean from a number. (A Swift
        // `Int` or `Bool` in an `Any` also casts to NSNumber; its type is not NSNumber's.)
        if let number = any as? NSNumber, type(of: any) is NSNumber.Type {
            if isBoolean(number) { return .bool(number.boolValue) }
            return try finite(number.doubleValue, any, path)
        }
        switch any {
        case let value as Value: return value
        case is NSNull: return .null
        case let bool as Bool: return .bool(bool)
        case let integer as any BinaryInteger: return .number(Double(integer))
        case let float as any BinaryFloatingPoint: return try finite(Double(float), any, path)
        case let string as String: return .string(string)
        case let substring as Substring: return .string(String(substring))
        case let date as Date: return .time(Instant(date))
        case let list as [Any]:
            var items: [Value] = []
            items.reserveCapacity(list.count)
            for (i, item) in list.enumerated() { items.append(try converting(item, path: path + [.index(i)])) }
            return .list(items)
        case let object as [String: Any]:
            var fields: [String: Value] = [:]
            fields.reserveCapacity(object.count)
            for (key, item) in object { fields[key] = try converting(item, path: path + [.key(key)]) }
            return .object(fields)
        case let object as [AnyHashable: Any]:
            var fields: [String: Value] = [:]
            fields.reserveCapacity(object.count)
            for (key, item) in object {
                guard let name = key.base as? String else {
                    throw failure(any, path, "a dictionary key must be a String, not \(typeName(key.base))")
                }
                fields[name] = try converting(item, path: path + [.key(name)])
            }
            return .object(fields)
        default:
            // An Optional inside an `Any` (from `[String: Any?]`, say): nil is null, a
            // wrapped value converts as itself.
            let mirror = Mirror(reflecting: any)
            if mirror.displayStyle == .optional {
                guard let wrapped = mirror.children.first?.value else { return .null }
                return try converting(wrapped, path: path)
            }
            throw failure(any, path, "a \(typeName(any)) is not a JSON value (expected NSNull, a boolean, a number, a String, a Date, an array or a dictionary with String keys)")
        }
    }

    /// True for the `NSNumber`s that hold a boolean (`kCFBooleanTrue`/`False`, which
    /// `JSONSerialization` returns for `true`/`false`).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        // swift-corelibs-foundation boxes booleans in a subclass whose type encoding is
        // `c` (`char`); integers of every width report `i`, `q` or `Q` there.
        return String(cString: number.objCType) == "c"
        #endif
    }

    private static func finite(_ number: Double, _ any: Any, _ path: [PathStep]) throws(ValueConversionError) -> Value {
        guard number.isFinite else { throw failure(any, path, "\(number) is not a finite number, which JSON cannot hold") }
        return .number(number)
    }

    private static func typeName(_ any: Any) -> String {
        String(describing: type(of: any))
    }

    private static func failure(_ any: Any, _ path: [PathStep], _ message: String) -> ValueConversionError {
        ValueConversionError(path: PathStep.text(path), typeName: typeName(any), message: message)
    }

    /// One step down into a converted value.
    private enum PathStep {
        case key(String)
        case index(Int)

        /// The path as rules write it: `address.city`, `tags[2]`, `labels["a b"]`.
        static func text(_ steps: [PathStep]) -> String {
            var out = ""
            for step in steps {
                switch step {
                case .index(let i): out += "[\(i)]"
                case .key(let key) where isIdentifier(key): out += out.isEmpty ? key : "." + key
                case .key(let key): out += "["; writeJSONString(key, to: &out); out += "]"
                }
            }
            return out
        }

        static func isIdentifier(_ key: String) -> Bool {
            func letter(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
            guard let first = key.unicodeScalars.first, letter(first) else { return false }
            return key.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
        }
    }
}
