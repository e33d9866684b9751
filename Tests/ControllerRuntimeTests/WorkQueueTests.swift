import Testing
@testable import ControllerRuntime

@Suite struct WorkQueueTests {
    let a = ObjectKey(namespace: "ns", name: "a")
    let b = ObjectKey(namespace: "ns", name: "b")

    @Test func aQueuedKeyIsQueuedOnce() async {
        let queue = WorkQueue(clock: ManualClock())
        queue.add(a); queue.add(b); queue.add(a)
        #expect(queue.count == 2)
        #expect(await queue.get() == a)
        #expect(await queue.get() == b)
    }

    @Test func aKeyBeingProcessedIsNotHandedOutAgainUntilDone() async {
        let queue = WorkQueue(clock: ManualClock())
        queue.add(a)
        #expect(await queue.get() == a)
        queue.add(a)
        queue.add(a)
        #expect(queue.count == 0, "the re-add waits for done")
        queue.done(a)
        #expect(queue.count == 1)
        #expect(await queue.get() == a)
        queue.done(a)
        #expect(queue.count == 0 && queue.processingCount == 0)
    }

    /// Work under way goes first: a high-priority key overtakes normal ones, a queued normal key
    /// added again as high moves up (once), and one re-added as high while processed comes back high.
    @Test func highPriorityKeysOvertakeNormalOnesOnceEach() async {
        let queue = WorkQueue(clock: ManualClock())
        let c = ObjectKey(namespace: "ns", name: "c"), d = ObjectKey(namespace: "ns", name: "d")
        queue.add(a); queue.add(b); queue.add(c)
        queue.add(d, priority: .high)
        queue.add(c, priority: .high)
        queue.add(c, priority: .high)
        #expect(queue.count == 4)
        #expect(await queue.get() == d)
        #expect(await queue.get() == c)
        #expect(await queue.get() == a)
        queue.add(a, priority: .high)  // while a is processed
        queue.add(c)
        queue.done(a)
        #expect(await queue.get() == a, "re-added as high while processed")
        #expect(await queue.get() == b)
        queue.done(c)
        #expect(await queue.get() == c)
        #expect(queue.count == 0)
    }

    @Test func aWaitingGetterReceivesTheNextKey() async {
        let queue = WorkQueue(clock: ManualClock())
        async let got = queue.get()
        while queue.state.withLock({ $0.waiters.isEmpty }) { await Task.yield() }
        queue.add(b)
        #expect(await got == b)
    }

    @Test func shutdownDrainsThenReturnsNil() async {
        let queue = WorkQueue(clock: ManualClock())
        queue.add(a); queue.add(b)
        queue.shutdown()
        queue.add(ObjectKey(name: "late"))
        #expect(await queue.get() == a)
        #expect(await queue.get() == b)
        #expect(await queue.get() == nil)
    }

    @Test func shutdownWakesIdleGetters() async {
        let queue = WorkQueue(clock: ManualClock())
        async let first = queue.get()
        async let second = queue.get()
        while queue.state.withLock({ $0.waiters.count < 2 }) { await Task.yield() }
        queue.shutdown()
        #expect(await first == nil)
        #expect(await second == nil)
    }

    @Test func addAfterFiresOnTheManualClock() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter(a, .seconds(10))
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: .seconds(9))
        #expect(queue.count == 0)
        clock.advance(by: .seconds(1))
        #expect(await queue.get() == a)
        #expect(queue.delayedCount == 0)
    }

    @Test func theEarlierDeadlineWins() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter(a, .seconds(10))
        queue.addAfter(a, .seconds(2))
        queue.addAfter(a, .seconds(30))
        #expect(queue.state.withLock { $0.delayed[a]?.deadline } == .seconds(2))
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: .seconds(2))
        #expect(await queue.get() == a)
    }

    @Test func rateLimitedAddsBackOffExponentiallyUntilForgotten() {
        let queue = WorkQueue(clock: ManualClock(), random: { 0 })
        var deadlines: [Duration] = []
        for _ in 0..<4 {
            queue.addRateLimited(a)
            deadlines.append(queue.state.withLock { $0.delayed[a]!.deadline })
            // Drop the timer so the next call arms a fresh one.
            queue.state.withLock { $0.delayed.removeValue(forKey: a)?.timer.cancel() }
        }
        #expect(deadlines == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(queue.failures(of: a) == 4)
        queue.forget(a)
        #expect(queue.failures(of: a) == 0)
        queue.addRateLimited(a)
        #expect(queue.state.withLock { $0.delayed[a]!.deadline } == .milliseconds(5))
        queue.shutdown()
    }

    @Test func shutdownCancelsPendingTimers() async {
        let clock = ManualClock()
        let queue = WorkQueue(clock: clock)
        queue.addAfter(a, .seconds(1))
        while clock.sleeperCount == 0 { await Task.yield() }
        queue.shutdown()
        while clock.sleeperCount > 0 { await Task.yield() }
        clock.advance(by: .seconds(5))
        #expect(await queue.get() == nil)
    }
}
