import Dispatch
import Foundation

extension Manager {
    /// Runs until SIGTERM or SIGINT (or `shutdown()`), then shuts down gracefully.
    ///
    /// The signals' default actions are ignored while this runs, and a
    /// `DispatchSource` per signal turns delivery into `shutdown()`; the
    /// previous dispositions are restored before it returns.
    /// Caveat: signal dispositions are process-wide; run one of these per process.
    public func runUntilSignalled(_ signals: [Int32] = [SIGTERM, SIGINT]) async throws -> Exit {
        let queue = DispatchQueue(label: "causeway.manager.signals")
        var previous: [Int32: sig_t?] = [:]
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            previous[number] = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.shutdown() }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            for (number, handler) in previous { signal(number, handler ?? SIG_DFL) }
        }
        return try await run()
    }
}
