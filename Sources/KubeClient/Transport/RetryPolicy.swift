/// When and how long to wait before trying a request again.
///
/// Retries happen for 429 (honouring Retry-After), 5xx and connection errors,
/// and only for requests that are safe to repeat: reads always; writes only
/// when the server cannot have seen them (connection refused, host not found)
/// or said so (429). The delays are a pure sequence so tests need no clock.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Fraction of each delay added at random (0.5 → up to +50%), so clients do not retry in step.
    public var jitter: Double
    /// The longest Retry-After obeyed: a server (or whoever wrote a kubeconfig naming one)
    /// asking for months must not park the caller for months.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(10), jitter: Double = 0.5,
                maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// The delay before attempt `attempt + 1` (attempt counts from 1), before jitter.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 30)
        return min(baseDelay * factor, maxDelay)
    }

    /// `delay(afterAttempt:)` with jitter drawn from `random` in [0, 1).
    public func jitteredDelay(afterAttempt attempt: Int, random: Double) -> Duration {
        let base = delay(afterAttempt: attempt)
        return base + base * (jitter * random)
    }

    /// Whether to retry after this error for a request with this method.
    func shouldRetry(_ error: KubeClientError, method: String, attempt: Int) -> Bool {
        guard attempt < maxAttempts else { return false }
        let idempotent = ["GET", "HEAD", "OPTIONS"].contains(method)
        switch error {
        case .api(let status):
            if status.code == 429 { return true }
            return idempotent && [500, 502, 503, 504].contains(status.code)
        case .transport(let t):
            return idempotent || t.isSafeToRetry
        default:
            return false
        }
    }
}
