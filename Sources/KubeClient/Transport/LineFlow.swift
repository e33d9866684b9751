import Synchronization

/// Backpressure for a streaming transfer: the bytes of lines handed to the
/// consumer and not yet taken.
///
/// Above `highWater` the loop pauses the transfer (libcurl stops reading, and
/// TCP or HTTP/2 flow control pushes back on the server), so a consumer slower
/// than the server costs a few megabytes, not the whole stream; once the
/// consumer has drained to `lowWater`, it asks the loop to resume.
final class LineFlow: Sendable {
    static let highWater = 4 << 20
    static let lowWater = 1 << 20

    private struct State {
        var buffered = 0
        var paused = false
        var resume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Called by the consumer's side once it can reach the transfer (which starts later).
    func onResume(_ resume: @escaping @Sendable () -> Void) {
        state.withLock { $0.resume = resume }
    }

    /// Loop thread, after handing over a line: true when the transfer must pause now.
    func produced(_ bytes: Int) -> Bool {
        state.withLock { s in
            s.buffered += bytes
            guard s.buffered > Self.highWater, !s.paused else { return false }
            s.paused = true
            return true
        }
    }

    /// Consumer, after taking a line.
    func consumed(_ bytes: Int) {
        let resume = state.withLock { s -> (@Sendable () -> Void)? in
            s.buffered -= bytes
            guard s.paused, s.buffered <= Self.lowWater else { return nil }
            s.paused = false
            return s.resume
        }
        resume?()
    }

    var bufferedBytes: Int { state.withLock { $0.buffered } }
}
