import Synchronization

/// A de-duplicating queue of reconcile keys with client-go's guarantees.
///
/// Guarantees:
/// - A key waiting in the queue is there once, however often it is added.
/// - A key handed out by `get()` is not handed out again until `done(_:)`;
///   adds in the meantime are remembered and the key is queued again at `done`.
/// - After `shutdown()`, adds are ignored, `get()` drains what is queued and
///   then returns nil.
///
/// Delayed adds (`addAfter`, `addRateLimited`) each own a timer task on the
/// injected clock; shutdown cancels them.
///
/// Two lanes: a key added with `.high` priority is handed out before every `.normal`
/// one (and a queued normal key added again as high moves up), so work that advances
/// what is under way — a step absorbed, the next to start — does not wait behind a
/// burst of new objects. Within a lane, first in, first out.
public final class WorkQueue: Sendable {
    typealias Waiter = CheckedContinuation<ObjectKey?, Never>

    public enum Priority: Sendable { case normal, high }

    struct State {
        var queue = KeyFIFO()
        var urgent = KeyFIFO()
        /// Keys waiting to be handed out (the lanes may also hold stale copies, skipped when popped).
        var queued = Set<ObjectKey>()
        /// Dirty keys that were added with high priority.
        var high = Set<ObjectKey>()
        /// Keys that need processing: queued, or re-added while being processed.
        var dirty = Set<ObjectKey>()
        var processing = Set<ObjectKey>()
        var waiters: [Int: Waiter] = [:]
        var waiterOrder: [Int] = []
        var nextWaiterID = 0
        var shuttingDown = false
        var failures: [ObjectKey: Int] = [:]
        var delayed: [ObjectKey: (deadline: Duration, timer: Task<Void, Never>)] = [:]
        /// When each queued key was appended, kept only while `waitObserver` is set.
        var enqueuedAt: [ObjectKey: Duration] = [:]
        /// Told how long a key waited (from its enqueue instant) when a worker takes it.
        var waitObserver: (@Sendable (_ enqueuedAt: Duration) -> Void)?
    }

    let state = Mutex(State())
    public let clock: any RuntimeClock
    public let backoff: Backoff
    let random: @Sendable () -> Double

    public init(clock: any RuntimeClock = ContinuousRuntimeClock(), backoff: Backoff = Backoff(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.clock = clock
        self.backoff = backoff
        self.random = random
    }

    /// Queues `key` unless it is already queued; a key being processed is queued again at its `done`.
    /// A queued key added again with higher priority moves to the high lane.
    public func add(_ key: ObjectKey, priority: Priority = .normal) {
        let handOff: (Waiter, ObjectKey)? = state.withLock { state in
            guard !state.shuttingDown else { return nil }
            if state.dirty.contains(key) {
                guard priority == .high, state.high.insert(key).inserted else { return nil }
                if state.queued.contains(key) { state.urgent.append(key) }
                return nil
            }
            state.dirty.insert(key)
            if priority == .high { state.high.insert(key) }
            if state.processing.contains(key) { return nil }
            Self.enqueue(key, &state)
            if state.waitObserver != nil { state.enqueuedAt[key] = clock.now }
            return Self.wakeWaiter(&state)
        }
        if let (waiter, key) = handOff { waiter.resume(returning: key) }
    }

    /// The next key to process, waiting for one; nil once shut down and drained, or if the task is cancelled.
    ///
    /// Every key returned must be passed to `done(_:)`. A cancelled caller gets
    /// nil and the keys stay queued, so a worker whose leadership ended stops at once.
    public func get() async -> ObjectKey? {
        if Task.isCancelled { return nil }
        enum FastPath { case answer(ObjectKey?), wait(Int) }
        let fast: FastPath = state.withLock { state in
            if let key = Self.popNext(&state) {
                Self.startProcessing(key, &state)
                return .answer(key)
            }
            if state.shuttingDown { return .answer(nil) }
            state.nextWaiterID += 1
            return .wait(state.nextWaiterID)
        }
        guard case .wait(let id) = fast else {
            if case .answer(let key) = fast { return key }
            return nil
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                let immediate: ObjectKey?? = state.withLock { state in
                    if let key = Self.popNext(&state) {
                        Self.startProcessing(key, &state)
                        return .some(key)
                    }
                    if state.shuttingDown || Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    state.waiterOrder.append(id)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                state.waiterOrder.removeAll { $0 == id }
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Marks `key` as processed; if it was added meanwhile, it is queued again now.
    public func done(_ key: ObjectKey) {
        let handOff: (Waiter, ObjectKey)? = state.withLock { state in
            state.processing.remove(key)
            guard state.dirty.contains(key) else { return nil }
            Self.enqueue(key, &state)
            if state.waitObserver != nil { state.enqueuedAt[key] = clock.now }
            return Self.wakeWaiter(&state)
        }
        if let (waiter, key) = handOff { waiter.resume(returning: key) }
    }

    /// Stops accepting keys; `get()` returns what is queued, then nil. Pending delayed adds are dropped.
    public func shutdown() {
        let (waiters, timers): ([Waiter], [Task<Void, Never>]) = state.withLock { state in
            state.shuttingDown = true
            let timers = state.delayed.values.map(\.timer)
            state.delayed = [:]
            // Waiters exist only while the queue is empty, so all of them get nil.
            let waiters = state.waiterOrder.compactMap { state.waiters[$0] }
            state.waiters = [:]
            state.waiterOrder = []
            return (waiters, timers)
        }
        for timer in timers { timer.cancel() }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Reports, for every key a worker takes, how long it waited on the queue's clock (for metrics).
    public func observeWaitTimes(_ observe: @escaping @Sendable (Duration) -> Void) {
        let clock = self.clock
        state.withLock { $0.waitObserver = { enqueuedAt in observe(clock.now - enqueuedAt) } }
    }

    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }
    /// Keys waiting to be handed out.
    public var count: Int { state.withLock { $0.queued.count } }
    /// Keys handed out and not yet `done`.
    public var processingCount: Int { state.withLock { $0.processing.count } }
    /// Keys waiting on a timer (`addAfter` / `addRateLimited`).
    public var delayedCount: Int { state.withLock { $0.delayed.count } }

    // MARK: - State transitions (called with the lock held)

    private static func enqueue(_ key: ObjectKey, _ state: inout State) {
        state.queued.insert(key)
        if state.high.contains(key) { state.urgent.append(key) } else { state.queue.append(key) }
    }

    /// The high lane first; a key met again after it was handed out is a stale copy, skipped.
    private static func popNext(_ state: inout State) -> ObjectKey? {
        while let key = state.urgent.popFirst() ?? state.queue.popFirst() {
            if state.queued.remove(key) != nil { return key }
        }
        return nil
    }

    private static func startProcessing(_ key: ObjectKey, _ state: inout State) {
        state.processing.insert(key)
        state.dirty.remove(key)
        state.high.remove(key)
        if let observe = state.waitObserver, let enqueued = state.enqueuedAt.removeValue(forKey: key) { observe(enqueued) }
    }

    /// Hands the head of the queue to the oldest waiter, if there is one.
    private static func wakeWaiter(_ state: inout State) -> (Waiter, ObjectKey)? {
        while !state.waiterOrder.isEmpty {
            let id = state.waiterOrder.removeFirst()
            guard let waiter = state.waiters.removeValue(forKey: id) else { continue }
            guard let key = popNext(&state) else { return nil }
            startProcessing(key, &state)
            return (waiter, key)
        }
        return nil
    }
}
