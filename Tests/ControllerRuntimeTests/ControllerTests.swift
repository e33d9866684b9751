import Synchronization
import Testing
@testable import ControllerRuntime
import KubeSimTesting

private struct Failure: Error {}

/// Records every call and any moment two calls for the same key overlapped.
private final class RecordingReconciler: Reconciler {
    struct Log { var inFlight = Set<ObjectKey>(); var overlaps = 0; var calls: [ObjectKey] = []; var maxConcurrent = 0 }
    let log = Mutex(Log())
    let outcomes: @Sendable (ObjectKey, Int) -> ReconcileOutcome
    let pause: Duration

    init(pause: Duration = .zero, outcomes: @escaping @Sendable (ObjectKey, Int) -> ReconcileOutcome = { _, _ in .done }) {
        self.pause = pause
        self.outcomes = outcomes
    }

    func reconcile(_ key: ObjectKey) async -> ReconcileOutcome {
        let attempt: Int = log.withLock { log in
            if !log.inFlight.insert(key).inserted { log.overlaps += 1 }
            log.maxConcurrent = max(log.maxConcurrent, log.inFlight.count)
            log.calls.append(key)
            return log.calls.filter { $0 == key }.count
        }
        if pause > .zero { try? await Task.sleep(for: pause) } else { await Task.yield() }
        log.withLock { _ = $0.inFlight.remove(key) }
        return outcomes(key, attempt)
    }

    var calls: [ObjectKey] { log.withLock { $0.calls } }
}

@Suite struct ControllerTests {
    @Test func aKeyIsNeverReconciledByTwoWorkersAtOnce() async throws {
        let reconciler = RecordingReconciler(pause: .milliseconds(1))
        let controller = Controller(name: "test", reconciler: reconciler, workers: 8)
        let keys = (0..<5).map { ObjectKey(namespace: "ns", name: "k\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            for round in 0..<200 {
                controller.queue.add(keys[round % keys.count])
                if round % 10 == 0 { try? await Task.sleep(for: .milliseconds(1)) }
            }
            try await eventually("queue drained") { controller.queue.count == 0 && controller.queue.processingCount == 0 }
            controller.stop()
        }
        let log = reconciler.log.withLock { $0 }
        #expect(log.overlaps == 0)
        #expect(Set(log.calls) == Set(keys), "every key was reconciled")
        #expect(log.calls.count < 200, "adds while queued coalesce")
    }

    @Test func retryBacksOffOnTheClockAndDoneForgets() async throws {
        let clock = ManualClock()
        let key = ObjectKey(namespace: "ns", name: "flaky")
        let reconciler = RecordingReconciler { _, attempt in attempt < 4 ? .retry(Failure()) : .done }
        let controller = Controller(name: "test", reconciler: reconciler,
                                    queue: WorkQueue(clock: clock, random: { 0 }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            controller.queue.add(key)
            for (attempt, delay) in [(1, 5), (2, 10), (3, 20)] {
                try await eventually("attempt \(attempt) armed its timer") { reconciler.calls.count == attempt && clock.sleeperCount == 1 }
                #expect(clock.nextDeadline == clock.now + .milliseconds(delay))
                clock.advance(by: .milliseconds(delay - 1))
                #expect(reconciler.calls.count == attempt, "not before the backoff ends")
                clock.advance(by: .milliseconds(1))
            }
            try await eventually("fourth attempt done") { controller.stats.done == 1 }
            #expect(controller.queue.failures(of: key) == 0)
            controller.stop()
        }
        #expect(controller.stats == .init(reconciles: 4, done: 1, requeued: 0, retried: 3, terminal: 0))
    }

    @Test func terminalErrorsAreNotRetried() async throws {
        let clock = ManualClock()
        let reconciler = RecordingReconciler { _, _ in .terminal(Failure()) }
        let controller = Controller(name: "test", reconciler: reconciler, queue: WorkQueue(clock: clock))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            controller.queue.add(ObjectKey(name: "bad"))
            try await eventually("reconciled once") { controller.stats.terminal == 1 }
            #expect(controller.queue.delayedCount == 0 && controller.queue.count == 0)
            clock.advance(by: .seconds(3600))
            controller.stop()
        }
        #expect(reconciler.calls.count == 1)
    }

    @Test func requeueAfterFiresOnTheClock() async throws {
        let clock = ManualClock()
        let key = ObjectKey(name: "poll")
        let reconciler = RecordingReconciler { _, attempt in attempt == 1 ? .requeue(after: .seconds(30)) : .done }
        let controller = Controller(name: "test", reconciler: reconciler, queue: WorkQueue(clock: clock))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            controller.queue.add(key)
            try await eventually("timer armed") { clock.sleeperCount == 1 }
            clock.advance(by: .seconds(29))
            #expect(reconciler.calls.count == 1)
            clock.advance(by: .seconds(1))
            try await eventually("reconciled again") { controller.stats.done == 1 }
            controller.stop()
        }
        #expect(controller.stats.requeued == 1 && controller.stats.reconciles == 2)
    }

    @Test func stopFinishesQueuedAndInFlightKeys() async throws {
        let reconciler = RecordingReconciler(pause: .milliseconds(20))
        let controller = Controller(name: "test", reconciler: reconciler, workers: 2)
        for i in 0..<6 { controller.queue.add(ObjectKey(name: "k\(i)")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run() }
            try await eventually("started") { !reconciler.calls.isEmpty }
            controller.stop()
        }
        #expect(reconciler.calls.count == 6)
    }

    @Test func cancellingRunStopsTakingKeysButKeepsThemQueued() async throws {
        let reconciler = RecordingReconciler(pause: .milliseconds(20))
        let controller = Controller(name: "test", reconciler: reconciler, workers: 1)
        for i in 0..<5 { controller.queue.add(ObjectKey(name: "k\(i)")) }
        let run = Task { await controller.run() }
        try await eventually("started") { !reconciler.calls.isEmpty }
        run.cancel()
        await run.value
        #expect(reconciler.calls.count < 5)
        #expect(controller.queue.count == 5 - reconciler.calls.count, "unprocessed keys wait for the next leader term")
        #expect(controller.queue.processingCount == 0)
        controller.stop()
    }
}
