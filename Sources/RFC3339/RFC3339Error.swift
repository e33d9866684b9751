/// Why a text is not an RFC 3339 timestamp, and where: `offset` is the byte
/// (UTF-8) index of the first byte that could not be accepted.
public struct RFC3339Error: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The text ended where `expected` should have followed.
        case unexpectedEnd(expected: Expectation)
        /// This byte stands where `expected` should have.
        case unexpectedByte(UInt8, expected: Expectation)
        /// A well-formed field whose value is out of range, e.g. month 13 or day 30 in February.
        case outOfRange(Field, value: Int64)
    }

    /// What the parser would have accepted at the failing position.
    public enum Expectation: Sendable, Hashable, CustomStringConvertible {
        case digit
        case character(Unicode.Scalar)
        /// `.` and a fraction, `Z`, or a `±hh:mm` offset (whichever the options allow).
        case fractionOrTimeZone
        /// `Z` or a `±hh:mm` offset.
        case timeZone
        /// Nothing: the timestamp is complete.
        case end

        public var description: String {
            switch self {
            case .digit: "a digit"
            case .character(let c): "'\(c)'"
            case .fractionOrTimeZone: "a fraction or a time zone"
            case .timeZone: "a time zone ('Z' or ±hh:mm)"
            case .end: "the end of the text"
            }
        }
    }

    public enum Field: String, Sendable, Hashable {
        case month, day, hour, minute, second, offsetHour = "offset hour", offsetMinute = "offset minute"
    }

    public var reason: Reason
    /// Byte index into the UTF-8 text.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// `not an RFC 3339 timestamp: expected a digit at byte 5, found 'x'`.
    public var description: String {
        switch reason {
        case .unexpectedEnd(let expected):
            "not an RFC 3339 timestamp: expected \(expected) at byte \(offset), found the end of the text"
        case .unexpectedByte(let byte, let expected):
            "not an RFC 3339 timestamp: expected \(expected) at byte \(offset), found \(Self.show(byte))"
        case .outOfRange(let field, let value):
            "not an RFC 3339 timestamp: \(field.rawValue) \(value) out of range at byte \(offset)"
        }
    }

    private static func show(_ byte: UInt8) -> String {
        if (0x20..<0x7F).contains(byte) { return "'\(Unicode.Scalar(byte))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
    }
}
