#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ledger timestamp: UTC with millisecond precision, written as RFC 3339 with
/// exactly three fractional digits, e.g. `2025-03-04T05:06:07.089Z`.
///
/// One textual form per instant, so the hash chain is the same on every machine.
/// Years 0000 through 9999 only (the four-digit form); parsing accepts exactly
/// the form this type writes and nothing looser.
public struct LedgerTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// 0000-01-01T00:00:00.000Z.
    public static let earliest = LedgerTime(millisecondsSinceEpoch: -62_167_219_200_000)
    /// 9999-12-31T23:59:59.999Z.
    public static let latest = LedgerTime(millisecondsSinceEpoch: 253_402_300_799_999)

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The wall-clock time now, truncated to the millisecond.
    public static func now() -> LedgerTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LedgerTime(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: LedgerTime, rhs: LedgerTime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public var isRepresentable: Bool { self >= .earliest && self <= .latest }

    /// The RFC 3339 text. Times outside `earliest...latest` are clamped to that range.
    public var rfc3339: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { rfc3339 }

    /// Appends the 24 bytes of the RFC 3339 form.
    func write(into out: inout [UInt8]) {
        let ms = min(max(millisecondsSinceEpoch, Self.earliest.millisecondsSinceEpoch), Self.latest.millisecondsSinceEpoch)
        let (days, msOfDay) = ms.floorDivided(by: 86_400_000)
        let (y, m, d) = Self.civil(fromDays: days)
        let secondsOfDay = msOfDay / 1000
        let frac = msOfDay % 1000
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { b in
            func two(_ v: Int64, _ at: Int) {
                b[at] = UInt8(48 + v / 10)
                b[at + 1] = UInt8(48 + v % 10)
            }
            two(y / 100, 0); two(y % 100, 2); b[4] = UInt8(ascii: "-")
            two(m, 5); b[7] = UInt8(ascii: "-")
            two(d, 8); b[10] = UInt8(ascii: "T")
            two(secondsOfDay / 3600, 11); b[13] = UInt8(ascii: ":")
            two(secondsOfDay / 60 % 60, 14); b[16] = UInt8(ascii: ":")
            two(secondsOfDay % 60, 17); b[19] = UInt8(ascii: ".")
            b[20] = UInt8(48 + frac / 100); two(frac % 100, 21)
            b[23] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(b))
        }
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (a real calendar date, seconds 00–59).
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = value
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> LedgerTime? {
        guard b.count == 24,
              b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."),
              b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2),
              let h = number(11, 2), let mi = number(14, 2), let s = number(17, 2), let ms = number(20, 3),
              (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, s < 60
        else { return nil }
        let days = Self.days(fromCivil: y, mo, d)
        return LedgerTime(millisecondsSinceEpoch: ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int64 {
    /// Floor division: the remainder is never negative.
    func floorDivided(by d: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = self / d
        var r = self % d
        if r < 0 { q -= 1; r += d }
        return (q, r)
    }
}
