/// Delayed and rate-limited adds.
extension WorkQueue {
    /// Adds `key` once `delay` has passed on the queue's clock.
    ///
    /// If the key already waits on a timer, the earlier deadline wins (as in
    /// client-go's delaying queue), so a requeue-after cannot postpone a retry.
    public func addAfter(_ key: ObjectKey, _ delay: Duration, priority: Priority = .normal) {
        guard delay > .zero else { return add(key, priority: priority) }
        let deadline = clock.now + delay
        let clock = self.clock
        state.withLock { state in
            guard !state.shuttingDown else { return }
            if let existing = state.delayed[key], existing.deadline <= deadline { return }
            state.delayed[key]?.timer.cancel()
            let timer = Task { [weak self] in
                do { try await clock.sleep(until: deadline) } catch { return }
                self?.fireTimer(key, deadline: deadline, priority: priority)
            }
            state.delayed[key] = (deadline, timer)
        }
    }

    /// Adds `key` after its per-key backoff, counts one more failure for it, and returns the delay.
    @discardableResult
    public func addRateLimited(_ key: ObjectKey) -> Duration {
        let failures: Int = state.withLock { state in
            let failures = state.failures[key, default: 0]
            state.failures[key] = failures + 1
            return failures
        }
        let delay = backoff.delay(afterFailures: failures, random: random())
        addAfter(key, delay)
        return delay
    }

    /// Drops `key`'s pending delayed add, if any: nothing was asked of it any more (its
    /// reconcile said done, or the object is gone), so no timer outlives the need for it.
    public func cancelDelayed(_ key: ObjectKey) {
        state.withLock { state in
            state.delayed.removeValue(forKey: key)?.timer.cancel()
        }
    }

    /// Forgets `key`'s failures, so its next backoff starts from the base again.
    public func forget(_ key: ObjectKey) {
        _ = state.withLock { $0.failures.removeValue(forKey: key) }
    }

    /// How many times `key` has been rate-limited since it was last forgotten.
    public func failures(of key: ObjectKey) -> Int {
        state.withLock { $0.failures[key, default: 0] }
    }

    private func fireTimer(_ key: ObjectKey, deadline: Duration, priority: Priority) {
        let isCurrent: Bool = state.withLock { state in
            guard let entry = state.delayed[key], entry.deadline == deadline else { return false }
            state.delayed[key] = nil
            return true
        }
        if isCurrent { add(key, priority: priority) }
    }
}
