import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// Failure halts progression; Compensate runs its own forward sequence,
/// scoped to the targets where the failed step had started.
struct CompensationTests {
    static let regions = ["us-east", "eu-west", "ap-south"]

    /// The essay's failure: the gateway policy fails in EU-West after the
    /// roles and app landed. The policy is Independent so us-east could move
    /// on; ap-south's app is slow, so the policy never started there.
    func essayFailure() -> Driver {
        let gateway = Step(name: "gateway-policy", after: ["app"], sync: .independent, targets: Self.regions,
                           manifests: [configMap("gateway-policy")], timeout: .minutes(5))
        var spec = EvolutionSpec(targets: targets(Self.regions), steps: [
            step("app", sync: .independent, targets: Self.regions), gateway,
            step("feature-flag", after: ["gateway-policy"], targets: Self.regions),
        ])
        spec.onFailure = FailurePolicy(action: .compensate, compensation: [
            step("flag-off", after: []),
            step("app-previous", after: ["flag-off"]),
            step("notify", after: [], targets: ["us-east"], targetsDeclared: true),
        ])
        var d = Driver(spec)
        d.applyOutcome = { a in
            a.step == "gateway-policy" && a.target == "eu-west"
                ? .failed(reason: "Invalid", message: "Policy.gw.example \"roles\" is invalid", retryable: false)
                : .applied(objects: [])
        }
        return d
    }

    @Test func failureHaltsAndCompensationRunsOnlyWhereTheFailedStepStarted() {
        var d = essayFailure()
        d.autoCreate = false
        d.tick()  // app starts everywhere
        for r in ["us-east", "eu-west"] { d.objects[r] = [key(configMap("app")): configMap("app")] }
        d.tick(at: at(1))  // app converges in us-east and eu-west; gateway-policy starts there
        #expect(d.target("gateway-policy", "ap-south")?.phase == .pending)
        let failing = d.tick(at: at(2))
        #expect(describe(failing.actions) == [
            "ledger Applied gateway-policy@us-east",
            "ledger ApplyFailed gateway-policy@eu-west", "ledger StepFailed gateway-policy@eu-west",
            #"event Warning StepFailed: gateway-policy failed on eu-west: apply failed: Invalid: Policy.gw.example "roles" is invalid"#,
            "ledger Halted gateway-policy@eu-west",
            #"event Warning Halted: gateway-policy failed on eu-west: apply failed: Invalid: Policy.gw.example "roles" is invalid; nothing new starts"#,
        ])
        #expect(d.status.phase == .halted)
        #expect(d.status.message.hasSuffix("; compensation starts when app on ap-south, gateway-policy on us-east settles"))
        // In-flight work finishes its current wait; nothing new starts (no flag in us-east).
        d.objects["us-east"]?[key(configMap("gateway-policy"))] = configMap("gateway-policy")
        d.objects["ap-south"] = [key(configMap("app")): configMap("app")]
        let settling = d.tick(at: at(3))
        #expect(describe(settling.actions).filter { !$0.hasPrefix("event") } == [
            "ledger CheckpointObserved app@ap-south", "ledger StepConverged app@ap-south", "ledger StepConverged app",
            "ledger CheckpointObserved gateway-policy@us-east", "ledger StepConverged gateway-policy@us-east",
            "ledger CompensationStarted gateway-policy",
            "ledger StepStarted flag-off@us-east", "apply flag-off@us-east #1 compensation",
            "ledger StepStarted flag-off@eu-west", "apply flag-off@eu-west #1 compensation",
            "ledger StepStarted notify@us-east", "apply notify@us-east #1 compensation",
        ])
        #expect(d.status.compensation?.scope == ["us-east", "eu-west"])
        let watched = EvolutionEngine.observedObjects(spec: d.spec, status: d.status)
        #expect(watched["eu-west"]?.contains(key(configMap("flag-off"))) == true)
        #expect(watched["ap-south"]?.contains(key(configMap("flag-off"))) == false)
        #expect(d.status.phase == .compensating)
        #expect(d.status.condition("Progressing")?.reason == "Compensating")
        d.autoCreate = true
        for r in ["us-east", "eu-west"] {
            d.objects[r]?[key(configMap("flag-off"))] = configMap("flag-off")
            d.objects[r]?[key(configMap("notify"))] = configMap("notify")
        }
        d.settle()
        #expect(d.log.filter { $0.hasPrefix("apply") && $0.hasSuffix("compensation") } == [
            "apply flag-off@us-east #1 compensation", "apply flag-off@eu-west #1 compensation",
            "apply notify@us-east #1 compensation",
            "apply app-previous@us-east #1 compensation", "apply app-previous@eu-west #1 compensation",
        ])
        #expect(!d.log.contains { $0.hasPrefix("apply feature-flag") })
        #expect(d.log.contains("ledger CompensationConverged gateway-policy"))
        #expect(d.status.phase == .failed)
        #expect(d.status.condition("Ready")?.reason == "Compensated")
        #expect(d.status.message == #"gateway-policy failed on eu-west: apply failed: Invalid: Policy.gw.example "roles" is invalid; compensation converged; edit the spec to start a new plan"#)
    }

    @Test func aFailedCompensationStepFailsTheEvolution() {
        var d = essayFailure()
        d.applyOutcome = { a in
            if a.step == "gateway-policy" && a.target == "eu-west" || a.step == "flag-off" && a.target == "us-east" {
                return .failed(reason: "Forbidden", message: "no", retryable: false)
            }
            return .applied(objects: [])
        }
        d.settle()
        #expect(d.status.phase == .failed)
        #expect(d.status.compensation?.phase == .failed)
        #expect(d.status.condition("Ready")?.reason == "CompensationFailed")
        #expect(d.log.contains("ledger CompensationFailed flag-off@us-east"))
        #expect(!d.log.contains { $0.hasPrefix("apply app-previous") })
    }

    @Test func aNewGenerationAfterCompensationStartsAFreshPlan() {
        var d = essayFailure()
        d.settle()
        #expect(d.status.phase == .failed)
        d.applyOutcome = { _ in .applied(objects: []) }
        d.generation = 2
        d.log = []
        d.settle()
        #expect(d.log.prefix(3) == ["ledger Declared", "ledger Resumed", "event Normal Resumed: generation 2 starts a fresh plan after compensation"])
        #expect(d.log.filter { $0.hasPrefix("apply app@") }.count == 3)  // compensation changed the world: everything runs again
        #expect(d.status.phase == .converged)
        #expect(d.status.compensation == nil)
    }
}
