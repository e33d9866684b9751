import Synchronization

/// A token bucket: `qps` tokens a second, at most `burst` saved up.
/// `reserve` says how long the caller must wait for its token (zero when one is ready).
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    private let qps: Double
    private let burst: Double
    private let bucket: Mutex<Bucket>

    init(qps: Double, burst: Int, now: ContinuousClock.Instant = .now) {
        self.qps = qps
        self.burst = Double(max(burst, 1))
        bucket = Mutex(Bucket(tokens: Double(max(burst, 1)), last: now))
    }

    func reserve(now: ContinuousClock.Instant = .now) -> Duration {
        bucket.withLock { b in
            let elapsed = now - b.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            b.tokens = min(burst, b.tokens + seconds * qps)
            b.last = now
            b.tokens -= 1
            if b.tokens >= 0 { return .zero }
            return .nanoseconds(Int64((-b.tokens / qps) * 1e9))
        }
    }
}
