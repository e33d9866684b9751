import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// stableFor (held continuously) and timeout.
struct StabilityTests {
    func driver(stableFor: GoDuration, timeout: GoDuration = .minutes(10)) -> Driver {
        var d = Driver(EvolutionSpec(steps: [step("a", stableFor: stableFor, timeout: timeout), step("b", after: ["a"])]))
        d.autoCreate = false
        return d
    }

    @Test func convergesOnlyAfterHoldingForStableFor() {
        var d = driver(stableFor: .seconds(10))
        d.tick()
        let present = configMap("a")
        d.objects["local"] = [key(present): present]
        let first = d.tick(at: at(1))
        #expect(describe(first.actions) == ["ledger Applied a@local", "ledger CheckpointObserved a@local"])
        #expect(first.requeueAt == at(11))
        #expect(d.target("a", "local")?.passingSince == at(1))
        #expect(d.status.message == "a waits for local: checks hold since 2026-03-10T09:30:01Z; stable for 10s at 2026-03-10T09:30:11Z")
        #expect(d.tick(at: at(10)).actions.isEmpty)
        let converged = d.tick(at: at(11))
        #expect(describe(converged.actions).prefix(3) == ["ledger StepConverged a@local", "ledger StepConverged a", "event Normal StepConverged: a converged on local"])
        #expect(converged.applies.map(\.step) == ["b"])
    }

    @Test func anInterruptionRestartsTheWindow() {
        var d = driver(stableFor: .seconds(10))
        d.tick()
        let present = configMap("a")
        d.objects["local"] = [key(present): present]
        d.tick(at: at(1))
        d.objects["local"] = [:]  // deleted: the window is broken
        d.tick(at: at(5))
        #expect(d.target("a", "local")?.passingSince == nil)
        d.objects["local"] = [key(present): present]
        let again = d.tick(at: at(6))
        #expect(describe(again.actions) == ["ledger CheckpointObserved a@local"])
        #expect(again.requeueAt == at(16))
        #expect(d.tick(at: at(12)).applies.isEmpty)
        #expect(d.tick(at: at(16)).applies.map(\.step) == ["b"])
    }

    @Test func timeoutFailsTheStepAndHalts() {
        var d = driver(stableFor: .zero, timeout: .minutes(5))
        d.tick()
        d.tick(at: at(1))
        #expect(d.tick(at: at(299)).actions.isEmpty)
        let late = d.tick(at: at(300))
        #expect(describe(late.actions) == [
            "ledger StepFailed a@local",
            "event Warning StepFailed: a failed on local: did not converge within 5m0s: ConfigMap a not found",
            "ledger Halted a@local",
            "event Warning Halted: a failed on local: did not converge within 5m0s: ConfigMap a not found; nothing new starts",
        ])
        #expect(d.status.phase == .halted)
        #expect(d.status.halt == HaltRecord(step: "a", target: "local", reason: "StepFailed",
                                           message: "did not converge within 5m0s: ConfigMap a not found", at: at(300)))
        #expect(d.status.condition("Halted")?.isTrue == true)
        #expect(d.status.condition("Stalled")?.isTrue == true)
        #expect(d.status.condition("Ready")?.reason == "Halted")
        #expect(d.status.message == "halted: a failed on local: did not converge within 5m0s: ConfigMap a not found; fix the spec (forward correction) or retry with kubectl causeway retry <evolution> a")
        #expect(d.status.step("b")?.message == "halted: a failed on local")
        // Nothing new starts, ever, even when the object finally appears.
        d.objects["local"] = [key(configMap("a")): configMap("a")]
        #expect(d.tick(at: at(400)).actions.isEmpty)
    }
}
