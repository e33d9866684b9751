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
        #expect(d.status.halt == HaltRecord(step: "a", target: "local", reason: "Timeout",
                                           message: "did not converge within 5m0s: ConfigMap a not found", at: at(300)))
        #expect(d.status.condition("Halted")?.isTrue == true)
        #expect(d.status.condition("Stalled")?.isTrue == true)
        #expect(d.status.condition("Ready")?.reason == "Timeout", "Ready says why it halted")
        #expect(d.target("a", "local")?.reason == "Timeout")
        #expect(d.status.message == "halted: a failed on local: did not converge within 5m0s: ConfigMap a not found; fix the spec (forward correction) or retry with kubectl causeway retry <evolution> a")
        #expect(d.status.step("b")?.message == "halted: a failed on local")
        // Nothing new starts, ever, even when the object finally appears.
        d.objects["local"] = [key(configMap("a")): configMap("a")]
        #expect(d.tick(at: at(400)).actions.isEmpty)
    }
}

struct CheckFailureTests {
    /// kstatus Failed (a Deployment past its progress deadline) fails the
    /// step at once, without waiting for the timeout; the other region's
    /// rollout, already in flight, still finishes its wait.
    @Test func aFailedCheckFailsTheStepAndHalts() {
        let deployment: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "shop", "namespace": "shop"]]
        let k = key(deployment)
        var d = Driver(EvolutionSpec(targets: targets(["us-east", "eu-west"]), steps: [
            step("app", targets: ["us-east", "eu-west"], manifests: [deployment]),
            step("feature-flag", after: ["app"], targets: ["us-east", "eu-west"]),
        ]))
        d.autoCreate = false
        d.tick()
        let stuck: JSON = ["metadata": ["generation": 2], "spec": ["replicas": 3],
                           "status": ["observedGeneration": 2, "updatedReplicas": 1, "replicas": 3, "availableReplicas": 2,
                                      "conditions": [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                                                      "message": "ReplicaSet \"shop-7d9\" has timed out progressing."]]]]
        d.objects["eu-west"] = [k: stuck]
        let failed = d.tick(at: at(1))
        #expect(describe(failed.actions) == [
            "ledger Applied app@us-east", "ledger Applied app@eu-west",
            "ledger StepFailed app@eu-west",
            #"event Warning StepFailed: app failed on eu-west: Deployment shop: ProgressDeadlineExceeded: ReplicaSet "shop-7d9" has timed out progressing."#,
            "ledger Halted app@eu-west",
            #"event Warning Halted: app failed on eu-west: Deployment shop: ProgressDeadlineExceeded: ReplicaSet "shop-7d9" has timed out progressing.; nothing new starts"#,
        ])
        #expect(d.status.halt?.reason == "CheckFailed")
        #expect(d.status.step("app")?.phase == .failed)
        #expect(d.target("app", "us-east")?.phase == .converging)
        let done: JSON = ["metadata": ["generation": 1], "spec": ["replicas": 1],
                          "status": ["observedGeneration": 1, "updatedReplicas": 1, "replicas": 1, "availableReplicas": 1]]
        d.objects["us-east"] = [k: done]
        let settled = d.tick(at: at(2))
        #expect(describe(settled.actions) == ["ledger CheckpointObserved app@us-east", "ledger StepConverged app@us-east"])
        #expect(d.status.phase == .halted)
    }
}
