extension RFC3339Timestamp {
    /// How many fractional digits the text carries.
    public enum FractionStyle: Sendable, Hashable {
        /// Whole seconds: `2026-03-10T09:30:00Z`. The fraction is truncated.
        case omitted
        /// Exactly `digits` (1–9) digits, truncated: `.fixed(digits: 3)` writes `2026-03-10T09:30:00.250Z`.
        case fixed(digits: Int)
        /// Go's `time.RFC3339Nano`: up to nine digits, trailing zeros dropped,
        /// no fraction at all when it is zero: `2026-03-10T09:30:00.25Z`.
        case trimmed
    }

    /// The longest text any instant formats to: a 12-digit signed year, the
    /// rest of the date and time, nine fraction digits and `Z`.
    static let maximumLength = 40

    /// The RFC 3339 text in UTC (`Z`), e.g. `2026-03-10T09:30:00.25Z`.
    ///
    /// Caveat: RFC 3339 has four-digit years only. Outside 0000–9999 the year
    /// is written as Go writes it (`-0001`, `10000`), which no strict parser,
    /// including this module's, reads back.
    public func text(_ fraction: FractionStyle) -> String {
        String(unsafeUninitializedCapacity: Self.maximumLength) { write(fraction, into: $0) }
    }

    /// Appends the UTF-8 bytes of `text(fraction)` to `out`.
    public func write(_ fraction: FractionStyle, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumLength) { buffer in
            let count = write(fraction, into: buffer)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes the text into `buffer`, which holds at least `maximumLength` bytes; returns the length.
    func write(_ fraction: FractionStyle, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var w = ByteWriter(buffer: buffer)
        let (days, secondOfDay) = Self.floorDivide(secondsSinceEpoch, 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        w.year(date.year)
        w.byte("-"); w.digits(date.month, width: 2)
        w.byte("-"); w.digits(date.day, width: 2)
        w.byte("T"); w.digits(secondOfDay / 3600, width: 2)
        w.byte(":"); w.digits(secondOfDay / 60 % 60, width: 2)
        w.byte(":"); w.digits(secondOfDay % 60, width: 2)
        switch fraction {
        case .omitted:
            break
        case .fixed(let digits):
            precondition((1...9).contains(digits), "fraction digits must be 1 through 9, not \(digits)")
            w.byte(".")
            w.digits(nanosecond / Self.powersOfTen[9 - digits], width: digits)
        case .trimmed:
            if nanosecond > 0 {
                var value = nanosecond
                var width = 9
                while value % 10 == 0 { value /= 10; width -= 1 }
                w.byte(".")
                w.digits(value, width: width)
            }
        }
        w.byte("Z")
        return w.count
    }

    static let powersOfTen: [Int64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}

/// Writes ASCII into a buffer the caller sized; no bounds checks beyond the buffer's own.
struct ByteWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    mutating func byte(_ c: Unicode.Scalar) {
        buffer[count] = UInt8(ascii: c)
        count += 1
    }

    /// `value` (non-negative) in decimal, zero-padded to at least `width` digits.
    mutating func digits(_ value: Int64, width: Int) {
        var length = 1
        var rest = value / 10
        while rest > 0 { length += 1; rest /= 10 }
        length = max(length, width)
        var v = value
        for i in stride(from: count + length - 1, through: count, by: -1) {
            buffer[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
            v /= 10
        }
        count += length
    }

    /// Four digits for 0000–9999; otherwise as Go writes years: a sign for
    /// negative years and at least four digits.
    mutating func year(_ year: Int64) {
        if year < 0 {
            byte("-")
            digits(0 - year, width: 4)
        } else {
            digits(year, width: 4)
        }
    }
}
