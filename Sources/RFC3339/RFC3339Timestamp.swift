/// A UTC instant as RFC 3339 text describes it: whole seconds since the Unix
/// epoch plus a nanosecond fraction.
///
/// This is the one place Causeway turns instants into RFC 3339 text and back.
/// The modules that carry timestamps (EvolutionAPI's `Timestamp`, the ledger's
/// `LedgerTime`, KubeSim's metadata times) each pick a precision and a
/// grammar through `FractionStyle` and `ParseOptions`; the calendar
/// arithmetic, digit formatting and byte-level parsing are shared, so the
/// copies cannot drift apart.
///
/// Guarantees: formatting is total (any `Int64` second count formats) and
/// never allocates beyond the output; text written with a given style parses
/// back to the same instant, truncated to that style's precision.
public struct RFC3339Timestamp: Sendable, Hashable, Comparable {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64
    /// The fraction of the second, 0 ..< 1_000_000_000; always non-negative,
    /// also for instants before the epoch.
    public var nanosecond: Int64

    public init(secondsSinceEpoch: Int64, nanosecond: Int64 = 0) {
        precondition((0..<1_000_000_000).contains(nanosecond), "nanosecond out of range: \(nanosecond)")
        self.secondsSinceEpoch = secondsSinceEpoch
        self.nanosecond = nanosecond
    }

    public init(nanosecondsSinceEpoch ns: Int64) {
        let (seconds, fraction) = Self.floorDivide(ns, 1_000_000_000)
        self.init(secondsSinceEpoch: seconds, nanosecond: fraction)
    }

    public init(millisecondsSinceEpoch ms: Int64) {
        let (seconds, fraction) = Self.floorDivide(ms, 1000)
        self.init(secondsSinceEpoch: seconds, nanosecond: fraction * 1_000_000)
    }

    /// Nanoseconds since the epoch, or nil outside what `Int64` holds
    /// (roughly years 1677 through 2262).
    public var nanosecondsSinceEpoch: Int64? {
        let (scaled, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(nanosecond)
        return overflow || overflow2 ? nil : total
    }

    /// Milliseconds since the epoch, the fraction truncated; nil on overflow.
    public var millisecondsSinceEpoch: Int64? {
        let (scaled, overflow) = secondsSinceEpoch.multipliedReportingOverflow(by: 1000)
        let (total, overflow2) = scaled.addingReportingOverflow(nanosecond / 1_000_000)
        return overflow || overflow2 ? nil : total
    }

    /// The calendar date of this instant in UTC.
    public var date: CivilDate { CivilDate(daysSinceEpoch: Self.floorDivide(secondsSinceEpoch, 86_400).quotient) }

    /// Seconds since midnight UTC, 0 ..< 86 400.
    public var secondOfDay: Int64 { Self.floorDivide(secondsSinceEpoch, 86_400).remainder }

    public static func < (a: RFC3339Timestamp, b: RFC3339Timestamp) -> Bool {
        (a.secondsSinceEpoch, a.nanosecond) < (b.secondsSinceEpoch, b.nanosecond)
    }

    /// Floor division: the remainder is never negative.
    static func floorDivide(_ n: Int64, _ d: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = n / d
        var r = n % d
        if r < 0 { q -= 1; r += d }
        return (q, r)
    }
}
