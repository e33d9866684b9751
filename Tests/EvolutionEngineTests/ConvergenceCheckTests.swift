import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// kstatus rules of the `current` check, kind by kind.
struct KStatusTests {
    static let deployment = ObjectKey(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web")

    func deployment(generation: Int64 = 2, observed: Int64? = 2, replicas: Int64 = 3, updated: Int64 = 3,
                    total: Int64 = 3, available: Int64 = 3, progressing: JSON? = nil) -> JSON {
        var status: JSON = ["updatedReplicas": .int(updated), "replicas": .int(total), "availableReplicas": .int(available)]
        if let observed { status["observedGeneration"] = .int(observed) }
        if let progressing { status["conditions"] = [progressing] }
        return ["metadata": ["generation": .int(generation)], "spec": ["replicas": .int(replicas)], "status": status]
    }

    @Test func deploymentRollout() {
        let k = Self.deployment
        #expect(KStatus.evaluate(nil, key: k) == .waiting("Deployment web not found"))
        #expect(KStatus.evaluate(deployment(), key: k) == .holds)
        #expect(KStatus.evaluate(deployment(generation: 4, observed: 3), key: k) == .waiting("Deployment web: observedGeneration 3 < generation 4"))
        #expect(KStatus.evaluate(deployment(observed: nil), key: k) == .waiting("Deployment web: rollout not observed yet (no status.observedGeneration)"))
        #expect(KStatus.evaluate(deployment(updated: 1), key: k) == .waiting("Deployment web: updatedReplicas 1/3"))
        #expect(KStatus.evaluate(deployment(total: 4), key: k) == .waiting("Deployment web: 1 old replicas pending termination"))
        #expect(KStatus.evaluate(deployment(available: 2), key: k) == .waiting("Deployment web: availableReplicas 2/3"))
        let deadline: JSON = ["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet web-1 has timed out progressing."]
        #expect(KStatus.evaluate(deployment(updated: 1, progressing: deadline), key: k)
                == .failed("Deployment web: ProgressDeadlineExceeded: ReplicaSet web-1 has timed out progressing."))
        var deleting = deployment()
        deleting["metadata"]?["deletionTimestamp"] = "2026-03-10T09:30:00Z"
        #expect(KStatus.evaluate(deleting, key: k) == .waiting("Deployment web is being deleted"))
    }

    @Test func statefulSetDaemonSetJob() {
        let sts = ObjectKey(apiVersion: "apps/v1", kind: "StatefulSet", name: "db")
        let ready: JSON = ["metadata": ["generation": 1], "spec": ["replicas": 2],
                           "status": ["observedGeneration": 1, "readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 2,
                                      "currentRevision": "db-1", "updateRevision": "db-1"]]
        #expect(KStatus.evaluate(ready, key: sts) == .holds)
        var rolling = ready
        rolling["status"]?["updateRevision"] = "db-2"
        #expect(KStatus.evaluate(rolling, key: sts) == .waiting("StatefulSet db: revision db-2 still rolling out"))
        var notReady = ready
        notReady["status"]?["readyReplicas"] = 1
        #expect(KStatus.evaluate(notReady, key: sts) == .waiting("StatefulSet db: readyReplicas 1/2"))

        let ds = ObjectKey(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent")
        let dsStatus: JSON = ["metadata": ["generation": 1],
                              "status": ["observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 2]]
        #expect(KStatus.evaluate(dsStatus, key: ds) == .waiting("DaemonSet agent: numberAvailable 2/3"))

        let job = ObjectKey(apiVersion: "batch/v1", kind: "Job", name: "migrate")
        #expect(KStatus.evaluate(["status": [:]], key: job) == .waiting("Job migrate: not Complete yet"))
        #expect(KStatus.evaluate(["status": ["conditions": [["type": "Complete", "status": "True"]]]], key: job) == .holds)
        #expect(KStatus.evaluate(["status": ["conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"]]]], key: job)
                == .failed("Job migrate: Failed: BackoffLimitExceeded"))
    }

    @Test func builtInWithoutStatusIsCurrentByExisting() {
        let cm = ObjectKey(apiVersion: "v1", kind: "ConfigMap", name: "c")
        #expect(KStatus.evaluate(configMap("c"), key: cm) == .holds)
    }

    @Test func customResourcesMustPublishStatus() {
        let policy = ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", name: "roles")
        // Argo CD #4669: a CR with no status at all is not converged by existing.
        #expect(KStatus.evaluate(["metadata": ["generation": 1], "spec": [:]], key: policy)
                == .waiting("Policy roles publishes neither status.observedGeneration nor conditions, so existing proves nothing; declare a jsonPath or condition check for it"))
        #expect(KStatus.evaluate(["metadata": ["generation": 4], "status": ["observedGeneration": 3]], key: policy)
                == .waiting("Policy roles: observedGeneration 3 < generation 4"))
        #expect(KStatus.evaluate(["metadata": ["generation": 4], "status": ["observedGeneration": 4]], key: policy) == .holds)
        #expect(KStatus.evaluate(["metadata": ["generation": 4], "status": ["observedGeneration": 4, "conditions": [["type": "Ready", "status": "False", "reason": "Syncing"]]]], key: policy)
                == .waiting("Policy roles: Ready is False: Syncing"))
        #expect(KStatus.evaluate(["status": ["conditions": [["type": "Ready", "status": "True"]]]], key: policy) == .holds)
        #expect(KStatus.evaluate(["status": ["conditions": [["type": "Stalled", "status": "True", "message": "bad spec"]]]], key: policy)
                == .failed("Policy roles: Stalled: bad spec"))
    }
}

/// condition and jsonPath checks, through the engine so messages are as users see them.
struct DeclaredCheckTests {
    static let policyKey = ObjectKey(apiVersion: "gw.example/v1", kind: "Policy", name: "roles")
    static let policy: JSON = ["apiVersion": "gw.example/v1", "kind": "Policy", "metadata": ["name": "roles"]]

    func run(_ check: ConvergenceCheck, live: JSON?) -> (TargetPhase?, String?) {
        var d = Driver(EvolutionSpec(targets: targets(["eu-west"]), steps: [
            step("gateway-policy", targets: ["eu-west"], manifests: [Self.policy], checks: [check]),
        ]))
        d.autoCreate = false
        d.tick()
        if let live { d.objects["eu-west"] = [Self.policyKey: live] }
        d.tick(at: at(1))
        return (d.target("gateway-policy", "eu-west")?.phase, d.status.message)
    }

    func live(generation: Int64, observed: Int64, extra: JSON = [:]) -> JSON {
        var status: JSON = ["observedGeneration": .int(observed)]
        for (k, v) in extra.objectValue ?? [:] { status[k] = v }
        return ["metadata": ["name": "roles", "generation": .int(generation)], "status": status]
    }

    @Test func equalsFieldExplainsTheWaitLikeTheIncidentNeeded() {
        let check = ConvergenceCheck.jsonPath(JSONPathCheck(object: Self.policyKey, path: JSONPath(".status.observedGeneration")!,
                                                            predicate: .equalsField(JSONPath(".metadata.generation")!)))
        let (phase, message) = run(check, live: live(generation: 4, observed: 3))
        #expect(phase == .converging)
        #expect(message == "gateway-policy waits for eu-west: Policy roles: observedGeneration 3 < generation 4")
        #expect(run(check, live: live(generation: 4, observed: 4)).0 == .converged)
        #expect(run(check, live: nil).1 == "gateway-policy waits for eu-west: Policy roles not found")
    }

    @Test func jsonPathPredicates() {
        func check(_ path: String, _ p: JSONPathCheck.Predicate) -> ConvergenceCheck {
            .jsonPath(JSONPathCheck(object: Self.policyKey, path: JSONPath(path)!, predicate: p))
        }
        let object = live(generation: 1, observed: 1, extra: ["phase": "Active", "url": "https://gw.example", "replicas": 3])
        #expect(run(check(".status.phase", .equals("Active")), live: object).0 == .converged)
        #expect(run(check(".status.phase", .equals("Pending")), live: object).1 == #"gateway-policy waits for eu-west: Policy roles: .status.phase is "Active", want "Pending""#)
        #expect(run(check(".status.phase", .oneOf(["Ready", "Active"])), live: object).0 == .converged)
        #expect(run(check(".status.phase", .oneOf(["Ready"])), live: object).1 == #"gateway-policy waits for eu-west: Policy roles: .status.phase is "Active", want one of ["Ready"]"#)
        #expect(run(check(".status.url", .exists(true)), live: object).0 == .converged)
        #expect(run(check(".status.error", .exists(false)), live: object).0 == .converged)
        #expect(run(check(".status.error", .exists(true)), live: object).1 == "gateway-policy waits for eu-west: Policy roles: .status.error is absent")
        #expect(run(check(".status.url", .matches("^https://")), live: object).0 == .converged)
        #expect(run(check(".status.replicas", .matches("^[0-9]+$")), live: object).0 == .converged)
        #expect(run(check(".status.url", .matches("^http://")), live: object).0 == .converging)
        #expect(run(check(".status.replicas", .equals(3.0)), live: object).0 == .converged)
    }

    @Test func conditionCheck() {
        let ready = ConvergenceCheck.condition(ConditionCheck(object: Self.policyKey, type: "Ready"))
        let conditions: (String, Int64) -> JSON = { status, observed in
            ["conditions": [["type": "Ready", "status": .string(status), "reason": "Syncing", "observedGeneration": .int(observed)]]]
        }
        #expect(run(ready, live: live(generation: 2, observed: 2, extra: conditions("True", 2))).0 == .converged)
        #expect(run(ready, live: live(generation: 2, observed: 2, extra: conditions("False", 2))).1
                == "gateway-policy waits for eu-west: Policy roles: Ready is False, want True (Syncing)")
        // A Ready condition written for the previous generation says nothing about this one.
        #expect(run(ready, live: live(generation: 2, observed: 2, extra: conditions("True", 1))).1
                == "gateway-policy waits for eu-west: Policy roles: Ready condition observedGeneration 1 < generation 2")
        #expect(run(ready, live: live(generation: 2, observed: 2)).1 == "gateway-policy waits for eu-west: Policy roles: no Ready condition yet")
    }
}
