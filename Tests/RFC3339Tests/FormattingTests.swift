import Testing
import RFC3339

struct FormattingTests {
    @Test func fractionStyles() {
        let t = RFC3339Timestamp(secondsSinceEpoch: 1_773_135_000, nanosecond: 250_000_000)
        #expect(t.text(.omitted) == "2026-03-10T09:30:00Z")
        #expect(t.text(.fixed(digits: 3)) == "2026-03-10T09:30:00.250Z")
        #expect(t.text(.fixed(digits: 9)) == "2026-03-10T09:30:00.250000000Z")
        #expect(t.text(.trimmed) == "2026-03-10T09:30:00.25Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 0).text(.trimmed) == "1970-01-01T00:00:00Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 0, nanosecond: 1).text(.trimmed) == "1970-01-01T00:00:00.000000001Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 0, nanosecond: 999_999_999).text(.fixed(digits: 1)) == "1970-01-01T00:00:00.9Z")
    }

    @Test func instantsBeforeTheEpochFloor() {
        #expect(RFC3339Timestamp(nanosecondsSinceEpoch: -1).text(.trimmed) == "1969-12-31T23:59:59.999999999Z")
        #expect(RFC3339Timestamp(millisecondsSinceEpoch: -1).text(.fixed(digits: 3)) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339Timestamp(millisecondsSinceEpoch: -1).millisecondsSinceEpoch == -1)
        #expect(RFC3339Timestamp(nanosecondsSinceEpoch: -1).nanosecondsSinceEpoch == -1)
    }

    @Test func yearEdges() {
        #expect(RFC3339Timestamp(secondsSinceEpoch: -62_167_219_200).text(.omitted) == "0000-01-01T00:00:00Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 253_402_300_799).text(.omitted) == "9999-12-31T23:59:59Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 951_782_400).text(.omitted) == "2000-02-29T00:00:00Z")
        // Outside 0000–9999, as Go writes them; not RFC 3339, so not parseable.
        #expect(RFC3339Timestamp(secondsSinceEpoch: -62_167_219_201).text(.omitted) == "-0001-12-31T23:59:59Z")
        #expect(RFC3339Timestamp(secondsSinceEpoch: 253_402_300_800).text(.omitted) == "10000-01-01T00:00:00Z")
    }

    @Test func formattingIsTotal() {
        let longest = RFC3339Timestamp(secondsSinceEpoch: .min, nanosecond: 123_456_789).text(.fixed(digits: 9))
        #expect(longest.hasPrefix("-"))
        #expect(!RFC3339Timestamp(secondsSinceEpoch: .max, nanosecond: 999_999_999).text(.trimmed).isEmpty)
        #expect(RFC3339Timestamp(secondsSinceEpoch: .max).nanosecondsSinceEpoch == nil)
    }

    @Test func appendsBytes() {
        var out = Array("at=".utf8)
        RFC3339Timestamp(millisecondsSinceEpoch: 1_741_064_767_089).write(.fixed(digits: 3), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "at=2025-03-04T05:06:07.089Z")
    }
}
