extension RFC3339Timestamp {
    /// Which RFC 3339 texts a parse accepts. `.strict` is the RFC's own
    /// `date-time` grammar; the other knobs narrow or (for `checksCalendar`)
    /// loosen it to one caller's historical form.
    public struct ParseOptions: Sendable, Hashable {
        public enum Fraction: Sendable, Hashable {
            /// `.` and one or more digits may follow the seconds; digits past
            /// the ninth are read and dropped (truncated to nanoseconds).
            case optional
            /// `.` and exactly this many (1–9) digits must follow the seconds.
            case exactly(digits: Int)
        }

        public var fraction: Fraction
        /// Accept `t` and `z` for `T` and `Z`, as RFC 3339 §5.6 permits.
        public var allowsLowercase: Bool
        /// Accept `±hh:mm` offsets; otherwise only `Z`.
        public var allowsNumericOffset: Bool
        /// Accept second 60. There is no such instant in Unix time: it reads as
        /// second 00 of the next minute.
        public var allowsLeapSecond: Bool
        /// Reject a day that its month lacks (30 February) and offsets beyond
        /// 23:59. When false, any day 01–31 is accepted and rolls over into the
        /// next month (31 February 2026 reads as 3 March), and offset digits are
        /// not range-checked.
        public var checksCalendar: Bool

        public init(fraction: Fraction = .optional, allowsLowercase: Bool = true, allowsNumericOffset: Bool = true,
                    allowsLeapSecond: Bool = true, checksCalendar: Bool = true) {
            if case .exactly(let digits) = fraction {
                precondition((1...9).contains(digits), "fraction digits must be 1 through 9, not \(digits)")
            }
            self.fraction = fraction
            self.allowsLowercase = allowsLowercase
            self.allowsNumericOffset = allowsNumericOffset
            self.allowsLeapSecond = allowsLeapSecond
            self.checksCalendar = checksCalendar
        }

        /// RFC 3339 `date-time` with a four-digit year.
        public static let strict = ParseOptions()
    }

    /// Parses `text`, converting any offset to UTC.
    public init(parsing text: String, options: ParseOptions = .strict) throws(RFC3339Error) {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(RFC3339Error) in try RFC3339Timestamp(parsingUTF8: bytes, options: options) }
        }
        self = try result.get()
    }

    /// Parses UTF-8 bytes, converting any offset to UTC.
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>, options: ParseOptions = .strict) throws(RFC3339Error) {
        var p = Parser(bytes: bytes, options: options)
        self = try p.timestamp()
    }
}

/// A single forward pass over the bytes; every failure names its byte.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let options: RFC3339Timestamp.ParseOptions
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>, options: RFC3339Timestamp.ParseOptions) {
        self.bytes = bytes
        self.options = options
    }

    mutating func timestamp() throws(RFC3339Error) -> RFC3339Timestamp {
        let year = try number(4)
        try literal("-")
        let monthAt = i
        let month = try number(2)
        try check((1...12).contains(month), .month, month, at: monthAt)
        try literal("-")
        let dayAt = i
        let day = try number(2)
        let lastDay = options.checksCalendar ? CivilDate.daysIn(month: month, year: year) : 31
        try check(day >= 1 && day <= lastDay, .day, day, at: dayAt)
        try literal("T", lowercase: "t")
        let hourAt = i
        let hour = try number(2)
        try check(hour < 24, .hour, hour, at: hourAt)
        try literal(":")
        let minuteAt = i
        let minute = try number(2)
        try check(minute < 60, .minute, minute, at: minuteAt)
        try literal(":")
        let secondAt = i
        let second = try number(2)
        try check(second < (options.allowsLeapSecond ? 61 : 60), .second, second, at: secondAt)
        let nanosecond = try fraction()
        let offset = try timeZone()
        guard i == bytes.count else { throw RFC3339Error(.unexpectedByte(bytes[i], expected: .end), at: i) }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return RFC3339Timestamp(secondsSinceEpoch: seconds, nanosecond: nanosecond)
    }

    /// The nanoseconds of an optional or required `.ddd…` fraction.
    mutating func fraction() throws(RFC3339Error) -> Int64 {
        switch options.fraction {
        case .optional:
            guard i < bytes.count else { throw RFC3339Error(.unexpectedEnd(expected: .fractionOrTimeZone), at: i) }
            guard bytes[i] == UInt8(ascii: ".") else { return 0 }
            i += 1
            var value: Int64 = 0
            var width = 0
            while i < bytes.count, let digit = Self.digit(bytes[i]) {
                if width < 9 { value = value * 10 + digit; width += 1 }
                i += 1
            }
            guard width > 0 else { throw failure(expected: .digit) }
            return value * RFC3339Timestamp.powersOfTen[9 - width]
        case .exactly(let digits):
            try literal(".")
            return try number(digits) * RFC3339Timestamp.powersOfTen[9 - digits]
        }
    }

    /// The offset in seconds east of UTC: 0 for `Z`.
    mutating func timeZone() throws(RFC3339Error) -> Int64 {
        let expected: RFC3339Error.Expectation = options.allowsNumericOffset ? .timeZone : .character("Z")
        guard i < bytes.count else { throw RFC3339Error(.unexpectedEnd(expected: expected), at: i) }
        let c = bytes[i]
        if c == UInt8(ascii: "Z") || (options.allowsLowercase && c == UInt8(ascii: "z")) {
            i += 1
            return 0
        }
        guard options.allowsNumericOffset, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") else {
            throw RFC3339Error(.unexpectedByte(c, expected: expected), at: i)
        }
        i += 1
        let hourAt = i
        let hours = try number(2)
        try literal(":")
        let minuteAt = i
        let minutes = try number(2)
        if options.checksCalendar {
            try check(hours < 24, .offsetHour, hours, at: hourAt)
            try check(minutes < 60, .offsetMinute, minutes, at: minuteAt)
        }
        return (hours * 3600 + minutes * 60) * (c == UInt8(ascii: "-") ? -1 : 1)
    }

    /// Exactly `width` ASCII digits.
    mutating func number(_ width: Int) throws(RFC3339Error) -> Int64 {
        var value: Int64 = 0
        for _ in 0..<width {
            guard i < bytes.count, let digit = Self.digit(bytes[i]) else { throw failure(expected: .digit) }
            value = value * 10 + digit
            i += 1
        }
        return value
    }

    mutating func literal(_ c: Unicode.Scalar, lowercase: Unicode.Scalar? = nil) throws(RFC3339Error) {
        guard i < bytes.count, bytes[i] == UInt8(ascii: c)
                || (options.allowsLowercase && lowercase.map { bytes[i] == UInt8(ascii: $0) } == true)
        else { throw failure(expected: .character(c)) }
        i += 1
    }

    func check(_ ok: Bool, _ field: RFC3339Error.Field, _ value: Int64, at offset: Int) throws(RFC3339Error) {
        guard ok else { throw RFC3339Error(.outOfRange(field, value: value), at: offset) }
    }

    func failure(expected: RFC3339Error.Expectation) -> RFC3339Error {
        i < bytes.count ? RFC3339Error(.unexpectedByte(bytes[i], expected: expected), at: i)
            : RFC3339Error(.unexpectedEnd(expected: expected), at: i)
    }

    static func digit(_ b: UInt8) -> Int64? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? Int64(b - UInt8(ascii: "0")) : nil
    }
}
