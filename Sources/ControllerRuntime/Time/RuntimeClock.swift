/// The time source every timed part of the runtime is given, so tests can drive time by hand.
///
/// Named `RuntimeClock` rather than `Clock` so it does not shadow the standard
/// library's `Clock` in modules that import ControllerRuntime. Instants are
/// durations since the clock's own origin: only differences matter.
public protocol RuntimeClock: Sendable {
    /// Time elapsed since this clock's origin.
    var now: Duration { get }
    /// Returns once `now >= deadline`; throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: Duration) async throws
}

/// Real time, on `ContinuousClock` (keeps counting while the machine sleeps, like Go's monotonic clock).
public struct ContinuousRuntimeClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin.advanced(by: deadline), tolerance: nil)
    }
}
