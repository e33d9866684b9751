import Logging
import Synchronization

/// Runs N workers that take keys from a `WorkQueue` and reconcile them.
///
/// This is the one place a `ReconcileOutcome` is interpreted. The queue
/// guarantees a key is never reconciled by two workers at once.
///
/// Expected flow: event handlers `add` keys to `queue`; `run()` until
/// `stop()`; `stop()` shuts the queue down, so workers finish the keys
/// already queued and in flight, then `run()` returns.
public final class Controller: Sendable {
    public let name: String
    public let queue: WorkQueue
    let reconciler: any Reconciler
    public let workers: Int
    let counters = Mutex(ControllerStats())
    let metrics: RuntimeMetrics?
    /// Set by `stopTakingWork()`: workers finish the key in hand and take no other.
    let stopping = Atomic<Bool>(false)
    let logger: Logger

    /// Counts of reconcile outcomes, for metrics and tests.
    public struct ControllerStats: Sendable, Equatable {
        public var reconciles = 0
        public var done = 0
        public var requeued = 0
        public var retried = 0
        public var terminal = 0
    }

    public init(name: String, reconciler: any Reconciler, queue: WorkQueue = WorkQueue(), workers: Int = 1,
                metrics: RuntimeMetrics? = nil, logger: Logger = .disabled("causeway.controller")) {
        precondition(workers > 0, "a controller needs at least one worker")
        self.name = name
        var logger = logger
        logger[metadataKey: "controller"] = .string(name)
        self.logger = logger
        self.reconciler = reconciler
        self.queue = queue
        self.workers = workers
        self.metrics = metrics
        if let metrics {
            let labels = [name]
            queue.observeWaitTimes { [queueWait = metrics.queueWait] waited in queueWait.observe(labels, waited) }
            metrics.registry.addCollector { [weak queue, queueDepth = metrics.queueDepth] in
                if let queue { queueDepth.set(labels, to: Double(queue.count)) }
            }
        }
    }

    public var stats: ControllerStats { counters.withLock { $0 } }

    /// Runs the workers until the queue is shut down and drained, or the task is cancelled.
    ///
    /// Cancelling (e.g. when leadership is lost) stops taking keys at once;
    /// queued keys stay queued for a later `run()`, and in-flight reconciles
    /// see the cancellation and their outcome is still applied.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask { await self.workerLoop() }
            }
        }
    }

    /// Stops taking new keys; in-flight and queued keys are still reconciled before `run()` returns.
    public func stop() { queue.shutdown() }

    /// Stops handing out keys, queued ones included; reconciles in flight finish and `run()` then returns.
    ///
    /// For a graceful shutdown: what is still queued is not lost to the system,
    /// since the next replica's informers list every object again. Final: a
    /// controller stopped this way does not take keys again.
    public func stopTakingWork() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        queue.shutdown()
    }

    private func workerLoop() async {
        while !stopping.load(ordering: .sequentiallyConsistent), let key = await queue.get() {
            if stopping.load(ordering: .sequentiallyConsistent) {
                queue.done(key)
                return
            }
            let start = queue.clock.now
            let id = ReconcileID.make()
            let outcome = await ReconcileID.$current.withValue(id) { await reconciler.reconcile(key) }
            metrics?.reconcileDuration.observe([name], queue.clock.now - start)
            ReconcileID.$current.withValue(id) { apply(outcome, to: key) }
            queue.done(key)
        }
    }

    /// The interpretation of outcomes, in one place.
    func apply(_ outcome: ReconcileOutcome, to key: ObjectKey) {
        if let metrics {
            let label: String
            switch outcome {
            case .done: label = "done"
            case .requeue: label = "requeue"
            case .retry: label = "retry"
            case .terminal: label = "terminal"
            }
            metrics.reconcileTotal.increment([name, label])
            switch outcome {
            case .retry(let error), .terminal(let error): metrics.reconcileErrors.increment([name, ReconcileError.reason(of: error)])
            default: break
            }
        }
        counters.withLock { stats in
            stats.reconciles += 1
            switch outcome {
            case .done: stats.done += 1
            case .requeue: stats.requeued += 1
            case .retry: stats.retried += 1
            case .terminal: stats.terminal += 1
            }
        }
        switch outcome {
        case .done:
            queue.forget(key)
            queue.cancelDelayed(key)
        case .requeue(let delay):
            // The reconciler asked to look again (a timer of work under way): ahead of new objects.
            queue.forget(key)
            queue.addAfter(key, delay, priority: .high)
        case .retry(let error):
            let delay = queue.addRateLimited(key)
            logger.warning("reconcile failed; retrying", metadata: [
                "key": .string(key.description), "reconcileID": .string(ReconcileID.current ?? ""),
                "reason": .string(ReconcileError.reason(of: error)), "error": .string("\(error)"),
                "retry.delay": .string(delay.description), "retry.attempt": .stringConvertible(queue.failures(of: key)),
            ])
        case .terminal(let error):
            // Retrying cannot help; the next change to the object enqueues it again.
            queue.forget(key)
            queue.cancelDelayed(key)
            logger.error("reconcile failed; not retried until the object changes", metadata: [
                "key": .string(key.description), "reconcileID": .string(ReconcileID.current ?? ""), "reason": .string(ReconcileError.reason(of: error)), "error": .string("\(error)"),
            ])
        }
    }
}
