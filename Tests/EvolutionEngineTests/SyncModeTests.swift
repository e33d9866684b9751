import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// Lockstep vs Independent, and per-step target subsets. Objects are created
/// by hand here so each region converges when the test says so.
struct SyncModeTests {
    static let regions = ["us-east", "eu-west", "ap-south"]

    func driver(_ sync: SyncMode) -> Driver {
        var d = Driver(EvolutionSpec(targets: targets(Self.regions), steps: [
            step("gateway-policy", sync: sync, targets: Self.regions),
            step("feature-flag", after: ["gateway-policy"], targets: Self.regions),
        ]))
        d.autoCreate = false
        return d
    }

    func converge(_ d: inout Driver, _ step: String, on target: String) {
        let m = configMap(step)
        d.objects[target, default: [:]][key(m)] = m
    }

    @Test func lockstepHoldsTheSuccessorUntilEveryTargetConverged() {
        var d = driver(.lockstep)
        d.tick()
        converge(&d, "gateway-policy", on: "us-east")
        converge(&d, "gateway-policy", on: "ap-south")
        let first = d.tick(at: at(1))
        #expect(!first.applies.contains { $0.step == "feature-flag" })
        #expect(d.status.step("feature-flag")?.message
                == "on us-east waits for gateway-policy to converge on every target (Lockstep); eu-west is Converging: ConfigMap gateway-policy not found")
        #expect(d.status.message.hasPrefix("gateway-policy waits for eu-west: ConfigMap gateway-policy not found"))
        converge(&d, "gateway-policy", on: "eu-west")
        let second = d.tick(at: at(2))
        #expect(describe(second.actions) == [
            "ledger CheckpointObserved gateway-policy@eu-west", "ledger StepConverged gateway-policy@eu-west",
            "ledger StepConverged gateway-policy", "event Normal StepConverged: gateway-policy converged on us-east, eu-west, ap-south",
            "ledger StepStarted feature-flag@us-east", "apply feature-flag@us-east #1",
            "ledger StepStarted feature-flag@eu-west", "apply feature-flag@eu-west #1",
            "ledger StepStarted feature-flag@ap-south", "apply feature-flag@ap-south #1",
        ])
    }

    @Test func independentLetsEachRegionProceedAlone() {
        var d = driver(.independent)
        d.tick()
        converge(&d, "gateway-policy", on: "ap-south")
        let first = d.tick(at: at(1))
        #expect(first.applies.map { "\($0.step)@\($0.target)" } == ["feature-flag@ap-south"])
        #expect(d.target("feature-flag", "eu-west")?.message == "waits for gateway-policy on eu-west")
        converge(&d, "gateway-policy", on: "us-east")
        #expect(d.tick(at: at(2)).applies.map { "\($0.step)@\($0.target)" } == ["feature-flag@us-east"])
    }

    @Test func independentPredecessorOnOtherTargetsIsWaitedForEverywhere() {
        var d = Driver(EvolutionSpec(targets: targets(["us", "eu"]), steps: [
            step("db", sync: .independent, targets: ["us"], targetsDeclared: true),
            step("app", after: ["db"], targets: ["us", "eu"]),
        ]))
        d.autoCreate = false
        d.tick()
        d.tick(at: at(1))
        #expect(d.target("app", "eu")?.message == "waits for db to converge on every target (Independent, eu is not among its targets); us is Converging: ConfigMap db not found")
        d.objects["us"] = [key(configMap("db")): configMap("db")]
        let next = d.tick(at: at(2))
        #expect(next.applies.map { "\($0.step)@\($0.target)" } == ["app@us", "app@eu"])
    }

    @Test func stepsRunOnlyOnTheirTargets() {
        var d = Driver(EvolutionSpec(targets: targets(["us", "eu", "ap"]), steps: [
            step("a", targets: ["us", "eu", "ap"]),
            step("eu-only", after: ["a"], targets: ["eu"], targetsDeclared: true),
        ]))
        d.settle()
        #expect(d.log.filter { $0.hasPrefix("apply eu-only") } == ["apply eu-only@eu #1"])
        #expect(d.status.phase == .converged)
        #expect(d.status.step("eu-only")?.targets.map(\.name) == ["eu"])
    }
}
