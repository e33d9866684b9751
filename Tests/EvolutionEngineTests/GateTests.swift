import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// Acknowledgment, pause, drift halt and retry: what holds or releases starts.
struct GateTests {
    @Test func acknowledgmentHoldsTheStartAndRecordsWho() {
        var d = Driver(EvolutionSpec(steps: [step("gateway-policy"), step("feature-flag", after: ["gateway-policy"], ack: true)]))
        d.tick()
        d.tick(at: at(1))
        #expect(d.status.step("feature-flag")?.phase == .waitingForAcknowledgment)
        #expect(d.status.message == "feature-flag waits for acknowledgment: kubectl causeway ack <evolution> feature-flag (annotation ack.causeway.dev/feature-flag)")
        #expect(d.tick(at: at(2)).actions.isEmpty)
        d.acknowledgments = [Acknowledgment(step: "feature-flag", by: "alice@example.com", at: at(3))]
        let acked = d.tick(at: at(4))
        #expect(describe(acked.actions) == [
            "ledger Acknowledged feature-flag by alice@example.com",
            "event Normal Acknowledged: feature-flag acknowledged by alice@example.com",
            "ledger StepStarted feature-flag@local", "apply feature-flag@local #1",
        ])
        #expect(d.status.step("feature-flag")?.acknowledgedBy == "alice@example.com")
        #expect(d.status.step("feature-flag")?.acknowledgedAt == at(3))
        // Recorded once, even though the annotation stays.
        #expect(!describe(d.tick(at: at(5)).actions).contains { $0.hasPrefix("ledger Acknowledged") })
    }

    @Test func pauseStopsNewStartsButNotWorkInFlight() {
        var spec = EvolutionSpec(steps: sequence(["a", "b"]))
        var d = Driver(spec)
        d.tick()
        spec.paused = true
        d.spec = spec
        d.generation = 2
        let paused = d.tick(at: at(1))
        #expect(describe(paused.actions) == [
            "ledger Declared", "ledger Applied a@local", "ledger CheckpointObserved a@local",
            "ledger StepConverged a@local", "ledger StepConverged a", "event Normal StepConverged: a converged on local",
        ])
        #expect(d.status.phase == .paused)
        #expect(d.status.step("b")?.message == "paused (spec.paused)")
        #expect(d.status.condition("Progressing")?.reason == "Paused")
        spec.paused = false
        d.spec = spec
        d.generation = 3
        #expect(describe(d.tick(at: at(2)).actions) == ["ledger Declared", "ledger StepStarted b@local", "apply b@local #1"])
    }

    @Test func retryRestartsAFailedStepOncePerRequest() {
        var d = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        d.applyOutcome = { _ in .failed(reason: "Forbidden", message: "configmaps is forbidden", retryable: false) }
        d.tick()
        let failed = d.tick(at: at(1))
        #expect(describe(failed.actions) == [
            "ledger ApplyFailed a@local", "ledger StepFailed a@local",
            "event Warning StepFailed: a failed on local: apply failed: Forbidden: configmaps is forbidden",
            "ledger Halted a@local",
            "event Warning Halted: a failed on local: apply failed: Forbidden: configmaps is forbidden; nothing new starts",
        ])
        d.applyOutcome = { _ in .applied(objects: []) }
        d.retry = RetryRequest(step: "a", token: "2026-03-10T09:31:00Z", requestedBy: "bob")
        let retried = d.tick(at: at(60))
        #expect(describe(retried.actions) == [
            "ledger Resumed a by bob", "event Normal Resumed: a retried by bob",
            "ledger StepStarted a@local", "apply a@local #2",
        ])
        #expect(d.status.halt == nil)
        #expect(d.status.lastRetryToken == "2026-03-10T09:31:00Z")
        d.settle()
        #expect(d.status.phase == .converged)
        // The same request is not honoured twice.
        #expect(d.tick(at: at(100)).actions.isEmpty)
        d.retry = RetryRequest(step: "a", token: "later", requestedBy: "bob")
        #expect(describe(d.tick(at: at(101)).actions) == ["event Warning RetryIgnored: retry of a requested by bob ignored: a has not failed"])
    }

    @Test func retryableApplyErrorsBackOff() {
        var d = Driver(EvolutionSpec(steps: sequence(["a"])))
        d.applyOutcome = { _ in .failed(reason: "TooManyRequests", message: "slow down", retryable: true) }
        d.tick()
        let first = d.tick(at: at(1))
        #expect(describe(first.actions) == [
            "ledger ApplyFailed a@local",
            "event Warning ApplyFailed: a on local: apply failed (attempt 1): TooManyRequests: slow down; retrying at 2026-03-10T09:30:02Z",
        ])
        #expect(first.requeueAt == at(2))
        #expect(d.target("a", "local")?.message == "apply failed (attempt 1): TooManyRequests: slow down; retrying at 2026-03-10T09:30:02Z")
        // While it retries, Ready says why it is not ready.
        #expect(d.status.condition("Ready")?.reason == "ApplyFailed")
        #expect(d.tick(at: at(1)).actions.isEmpty)  // a watch event before the retry is due changes nothing
        #expect(describe(d.tick(at: at(2)).actions) == ["apply a@local #2"])
        #expect(d.tick(at: at(3)).requeueAt == at(5))  // 2s after the second failure
        d.applyOutcome = { _ in .applied(objects: []) }
        #expect(describe(d.tick(at: at(5)).actions) == ["apply a@local #3"])
        d.settle()
        #expect(d.status.phase == .converged)
        #expect(d.target("a", "local")?.reason == nil)
    }
}
