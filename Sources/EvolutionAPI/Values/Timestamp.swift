/// A point in time, in nanoseconds since the Unix epoch (UTC).
///
/// The engine never reads a clock: the caller passes `now` in, and every time
/// the engine stores in status comes from that input, so decisions replay
/// exactly. Text form is RFC 3339 as Go's `time.RFC3339Nano` writes it
/// (fraction only when non-zero, trailing zeros trimmed, always `Z`).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }
    public init(secondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    public static func + (t: Timestamp, d: GoDuration) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: t.nanosecondsSinceEpoch &+ d.nanoseconds)
    }
    public static func - (a: Timestamp, b: Timestamp) -> GoDuration {
        GoDuration(nanoseconds: a.nanosecondsSinceEpoch &- b.nanosecondsSinceEpoch)
    }

    public var description: String { rfc3339 }

    /// `2026-03-10T09:30:00Z`, or `2026-03-10T09:30:00.25Z` with a fraction.
    public var rfc3339: String {
        let ns = nanosecondsSinceEpoch
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = CivilDate.fromDays(days)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction > 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offsets, optional fraction up to nanoseconds).
    public init?(rfc3339 text: String) {
        let c = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= c.count else { return nil }
            var v: Int64 = 0
            for b in c[from..<from + count] {
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int64(b - 48)
            }
            return v
        }
        guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
              c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t"),
              c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":"),
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            var width = 0
            while i < c.count, c[i] >= 48, c[i] <= 57 {
                if width < 9 { fraction = fraction * 10 + Int64(c[i] - 48); width += 1 }
                i += 1
            }
            guard width > 0 else { return nil }
            for _ in width..<9 { fraction *= 10 }
        }
        var offset: Int64 = 0
        guard i < c.count else { return nil }
        if c[i] == UInt8(ascii: "Z") || c[i] == UInt8(ascii: "z") {
            i += 1
        } else if c[i] == UInt8(ascii: "+") || c[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), c.count > i + 3, c[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (c[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == c.count else { return nil }
        let days = CivilDate.toDays(y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offset
        self.nanosecondsSinceEpoch = seconds * 1_000_000_000 + fraction
    }

    private func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
enum CivilDate {
    static func toDays(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func fromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
