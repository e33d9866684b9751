import Testing
import RFC3339

struct ParsingTests {
    /// Every style round-trips over years 0000–9999, leap days included, at its own precision.
    @Test(arguments: [RFC3339Timestamp.FractionStyle.omitted, .fixed(digits: 3), .fixed(digits: 9), .trimmed])
    func roundTripsAcrossYears0000To9999(style: RFC3339Timestamp.FractionStyle) throws {
        let first: Int64 = -62_167_219_200  // 0000-01-01T00:00:00Z
        let last: Int64 = 253_402_300_799   // 9999-12-31T23:59:59Z
        var instants = [first, last, 951_782_400 /* 2000-02-29 */, 68_169_600 /* 1972-02-29 */, 4_107_456_000 /* 2100-03-01 */]
        var s = first
        while s < last {
            instants.append(s)
            s += 2_718_281_828  // about 86 years and an odd number of seconds: visits every time of day pattern
        }
        var day = first
        while day <= last {  // 29 February of every leap year from 0000 to 9996
            let date = CivilDate(daysSinceEpoch: day / 86_400)
            instants.append(CivilDate(year: date.year, month: 2, day: 29).daysSinceEpoch * 86_400 + 43_199)
            day += 4 * 365 * 86_400
        }
        for (k, seconds) in instants.enumerated() {
            let t = RFC3339Timestamp(secondsSinceEpoch: seconds, nanosecond: Int64(k) * 123_456_789 % 1_000_000_000)
            let text = t.text(style)
            let parsed = try RFC3339Timestamp(parsing: text)
            #expect(parsed == Self.truncated(t, style), "\(text)")
            #expect(parsed.text(style) == text)
        }
    }

    @Test func everySecondOfALeapDay() throws {
        let start = CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch * 86_400
        for s in start..<(start + 86_400) {
            let t = RFC3339Timestamp(secondsSinceEpoch: s)
            #expect(try RFC3339Timestamp(parsing: t.text(.omitted)) == t)
        }
    }

    @Test func offsetsAndLowercaseConvertToUTC() throws {
        let utc = try RFC3339Timestamp(parsing: "2026-03-10T09:30:00Z")
        #expect(try RFC3339Timestamp(parsing: "2026-03-10T10:30:00+01:00") == utc)
        #expect(try RFC3339Timestamp(parsing: "2026-03-10T04:00:00-05:30") == utc)
        #expect(try RFC3339Timestamp(parsing: "2026-03-10t09:30:00z") == utc)
        #expect(try RFC3339Timestamp(parsing: "0000-01-01T00:30:00+01:00").text(.omitted) == "-0001-12-31T23:30:00Z")
    }

    @Test func fractionsBeyondNanosecondsAreTruncated() throws {
        let t = try RFC3339Timestamp(parsing: "2026-03-10T09:30:00.1234567899Z")
        #expect(t.nanosecond == 123_456_789)
        #expect(try RFC3339Timestamp(parsing: "2026-03-10T09:30:00.5Z").nanosecond == 500_000_000)
    }

    @Test func leapSecondReadsAsTheNextMinute() throws {
        #expect(try RFC3339Timestamp(parsing: "2016-12-31T23:59:60Z") == RFC3339Timestamp(parsing: "2017-01-01T00:00:00Z"))
        let noLeap = RFC3339Timestamp.ParseOptions(allowsLeapSecond: false)
        #expect(throws: RFC3339Error(.outOfRange(.second, value: 60), at: 17)) {
            try RFC3339Timestamp(parsing: "2016-12-31T23:59:60Z", options: noLeap)
        }
    }

    @Test(arguments: [
        ("", RFC3339Error(.unexpectedEnd(expected: .digit), at: 0)),
        ("not a time", RFC3339Error(.unexpectedByte(UInt8(ascii: "n"), expected: .digit), at: 0)),
        ("2026-3-10T09:30:00Z", RFC3339Error(.unexpectedByte(UInt8(ascii: "-"), expected: .digit), at: 6)),
        ("26-03-10T09:30:00Z", RFC3339Error(.unexpectedByte(UInt8(ascii: "-"), expected: .digit), at: 2)),
        ("2026-03-10 09:30:00Z", RFC3339Error(.unexpectedByte(UInt8(ascii: " "), expected: .character("T")), at: 10)),
        ("2026-03-10T09:30:00", RFC3339Error(.unexpectedEnd(expected: .fractionOrTimeZone), at: 19)),
        ("2026-03-10T09:30:00.Z", RFC3339Error(.unexpectedByte(UInt8(ascii: "Z"), expected: .digit), at: 20)),
        ("2026-03-10T09:30:00+0100", RFC3339Error(.unexpectedByte(UInt8(ascii: "0"), expected: .character(":")), at: 22)),
        ("2026-03-10T09:30:00+01:0", RFC3339Error(.unexpectedEnd(expected: .digit), at: 24)),
        ("2026-03-10T09:30:00Z ", RFC3339Error(.unexpectedByte(UInt8(ascii: " "), expected: .end), at: 20)),
        ("2026-03-10T09:30:00UTC", RFC3339Error(.unexpectedByte(UInt8(ascii: "U"), expected: .timeZone), at: 19)),
        ("2026-13-10T09:30:00Z", RFC3339Error(.outOfRange(.month, value: 13), at: 5)),
        ("2026-00-10T09:30:00Z", RFC3339Error(.outOfRange(.month, value: 0), at: 5)),
        ("2026-03-00T09:30:00Z", RFC3339Error(.outOfRange(.day, value: 0), at: 8)),
        ("2025-02-29T09:30:00Z", RFC3339Error(.outOfRange(.day, value: 29), at: 8)),
        ("2100-02-29T09:30:00Z", RFC3339Error(.outOfRange(.day, value: 29), at: 8)),
        ("2026-04-31T09:30:00Z", RFC3339Error(.outOfRange(.day, value: 31), at: 8)),
        ("2026-03-10T24:00:00Z", RFC3339Error(.outOfRange(.hour, value: 24), at: 11)),
        ("2026-03-10T09:60:00Z", RFC3339Error(.outOfRange(.minute, value: 60), at: 14)),
        ("2026-03-10T09:30:61Z", RFC3339Error(.outOfRange(.second, value: 61), at: 17)),
        ("2026-03-10T09:30:00+24:00", RFC3339Error(.outOfRange(.offsetHour, value: 24), at: 20)),
        ("2026-03-10T09:30:00-01:60", RFC3339Error(.outOfRange(.offsetMinute, value: 60), at: 23)),
        ("２026-03-10T09:30:00Z", RFC3339Error(.unexpectedByte(0xEF, expected: .digit), at: 0)),
        ("-0001-01-01T00:00:00Z", RFC3339Error(.unexpectedByte(UInt8(ascii: "-"), expected: .digit), at: 0)),
        ("10000-01-01T00:00:00Z", RFC3339Error(.unexpectedByte(UInt8(ascii: "0"), expected: .character("-")), at: 4)),
    ])
    func rejectsMalformedTextSayingWhereAndWhy(text: String, error: RFC3339Error) {
        #expect(throws: error) { try RFC3339Timestamp(parsing: text) }
    }

    @Test func errorsReadClearly() {
        #expect(RFC3339Error(.unexpectedByte(UInt8(ascii: " "), expected: .character("T")), at: 10).description
                == "not an RFC 3339 timestamp: expected 'T' at byte 10, found ' '")
        #expect(RFC3339Error(.unexpectedEnd(expected: .timeZone), at: 19).description
                == "not an RFC 3339 timestamp: expected a time zone ('Z' or ±hh:mm) at byte 19, found the end of the text")
        #expect(RFC3339Error(.outOfRange(.day, value: 30), at: 8).description
                == "not an RFC 3339 timestamp: day 30 out of range at byte 8")
        #expect(RFC3339Error(.unexpectedByte(0xEF, expected: .digit), at: 0).description
                == "not an RFC 3339 timestamp: expected a digit at byte 0, found byte 0xEF")
    }

    @Test func narrowedGrammar() throws {
        let ledger = RFC3339Timestamp.ParseOptions(fraction: .exactly(digits: 3), allowsLowercase: false,
                                                   allowsNumericOffset: false, allowsLeapSecond: false)
        #expect(try RFC3339Timestamp(parsing: "2025-03-04T05:06:07.089Z", options: ledger).nanosecond == 89_000_000)
        #expect(throws: RFC3339Error(.unexpectedByte(UInt8(ascii: "Z"), expected: .character(".")), at: 19)) {
            try RFC3339Timestamp(parsing: "2025-03-04T05:06:07Z", options: ledger)
        }
        #expect(throws: RFC3339Error(.unexpectedByte(UInt8(ascii: "Z"), expected: .digit), at: 22)) {
            try RFC3339Timestamp(parsing: "2025-03-04T05:06:07.08Z", options: ledger)
        }
        #expect(throws: RFC3339Error(.unexpectedByte(UInt8(ascii: "9"), expected: .character("Z")), at: 23)) {
            try RFC3339Timestamp(parsing: "2025-03-04T05:06:07.0899Z", options: ledger)
        }
        #expect(throws: RFC3339Error(.unexpectedByte(UInt8(ascii: "+"), expected: .character("Z")), at: 23)) {
            try RFC3339Timestamp(parsing: "2025-03-04T05:06:07.089+00:00", options: ledger)
        }
        #expect(throws: RFC3339Error(.unexpectedByte(UInt8(ascii: "t"), expected: .character("T")), at: 10)) {
            try RFC3339Timestamp(parsing: "2025-03-04t05:06:07.089Z", options: ledger)
        }
    }

    @Test func uncheckedCalendarRollsOver() throws {
        let loose = RFC3339Timestamp.ParseOptions(checksCalendar: false)
        #expect(try RFC3339Timestamp(parsing: "2026-02-31T00:00:00Z", options: loose) == RFC3339Timestamp(parsing: "2026-03-03T00:00:00Z"))
        #expect(try RFC3339Timestamp(parsing: "2026-03-10T09:30:00+00:99", options: loose) == RFC3339Timestamp(parsing: "2026-03-10T07:51:00Z"))
        #expect(throws: RFC3339Error(.outOfRange(.day, value: 32), at: 8)) {
            try RFC3339Timestamp(parsing: "2026-01-32T00:00:00Z", options: loose)
        }
    }

    @Test func parsesUTF8Bytes() throws {
        let bytes = Array("1970-01-01T00:00:01.5Z".utf8)
        let t = try bytes.withUnsafeBufferPointer { buffer throws(RFC3339Error) in try RFC3339Timestamp(parsingUTF8: buffer) }
        #expect(t == RFC3339Timestamp(secondsSinceEpoch: 1, nanosecond: 500_000_000))
    }

    private static func truncated(_ t: RFC3339Timestamp, _ style: RFC3339Timestamp.FractionStyle) -> RFC3339Timestamp {
        switch style {
        case .omitted: RFC3339Timestamp(secondsSinceEpoch: t.secondsSinceEpoch)
        case .fixed(let digits):
            RFC3339Timestamp(secondsSinceEpoch: t.secondsSinceEpoch,
                             nanosecond: t.nanosecond / pow10(9 - digits) * pow10(9 - digits))
        case .trimmed: t
        }
    }

    private static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { r, _ in r * 10 } }
}
