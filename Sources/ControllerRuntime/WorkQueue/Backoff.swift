/// Per-key exponential backoff, as a pure function of the failure count.
///
/// The defaults are client-go's `ItemExponentialFailureRateLimiter` (5 ms
/// doubling up to 1000 s). Jitter only shortens a delay (by up to
/// `jitter` of it), so the cap is never exceeded and keys that failed together
/// spread out instead of retrying in lockstep.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    /// Fraction (0...1) by which a delay may be shortened at random.
    public var jitter: Double

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000), jitter: Double = 0.1) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// The delay before retry number `failures + 1` (`failures` = 0 for the first retry), without jitter.
    public func delay(afterFailures failures: Int) -> Duration {
        // 2^exponent overflows long before it matters; past the cap the answer is the cap.
        let exponent = max(0, failures)
        if exponent >= 62 { return cap }
        let scaled = base * (Int64(1) << Int64(exponent))
        return scaled > cap || scaled < .zero ? cap : scaled
    }

    /// The delay with jitter applied; `random` is a value in 0..<1.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let exact = delay(afterFailures: failures)
        let factor = 1 - jitter * min(max(random, 0), 1)
        return exact * factor
    }
}
