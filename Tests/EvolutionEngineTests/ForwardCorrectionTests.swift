import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// A new generation re-plans by content hash.
struct ForwardCorrectionTests {
    func converged(_ steps: [Step]) -> Driver {
        var d = Driver(EvolutionSpec(steps: steps))
        d.settle()
        #expect(d.status.phase == .converged)
        d.log = []
        return d
    }

    @Test func unchangedStepsAreNotReappliedChangedOnesAndDependentsAre() {
        var d = converged(sequence(["a", "b", "c"]) + [step("side", after: [])])
        var steps = d.spec.steps
        steps[1].manifests = [configMap("b", ["version": "2"])]
        d.spec = EvolutionSpec(steps: steps)
        d.generation = 2
        let replan = d.tick(at: at(10))
        #expect(describe(replan.actions) == ["ledger Declared", "ledger StepStarted b@local", "apply b@local #1"])
        #expect(d.status.step("a")?.phase == .converged)
        #expect(d.status.step("c")?.phase == .pending)
        #expect(d.status.step("b")?.contentHash == steps[1].contentHash)
        d.settle()
        #expect(d.log.filter { $0.hasPrefix("apply") } == ["apply b@local #1", "apply c@local #1"])
        #expect(d.status.phase == .converged)
    }

    @Test func aStepInFlightWhoseContentChangedIsSuperseded() {
        var d = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        d.autoCreate = false
        d.tick()
        d.tick(at: at(1))  // a applied, waiting for its object
        var steps = d.spec.steps
        steps[0].manifests = [configMap("a", ["fixed": "true"])]
        d.spec = EvolutionSpec(steps: steps)
        d.generation = 2
        let replan = d.tick(at: at(2))
        #expect(describe(replan.actions) == [
            "ledger Declared",
            "ledger Superseded a@local",
            "event Normal Superseded: a on local superseded: content changed (\(Driver(EvolutionSpec(steps: sequence(["a"]))).spec.steps[0].contentHash) → \(steps[0].contentHash))",
            "ledger StepStarted a@local", "apply a@local #1",
        ])
        #expect(replan.applies.first?.contentHash == steps[0].contentHash)
        #expect(replan.ledgerRecords.map(\.id).contains("g2/StepStarted/a/local/1"))
    }

    @Test func aLateResultForSupersededContentIsIgnored() {
        var d = Driver(EvolutionSpec(steps: sequence(["a"])))
        d.tick()
        let stale = d.results
        var steps = d.spec.steps
        steps[0].manifests = [configMap("a", ["v": "2"])]
        d.spec = EvolutionSpec(steps: steps)
        d.generation = 2
        d.results = []
        d.tick(at: at(1))  // superseded, restarted with new content
        d.results = stale
        let late = d.tick(at: at(2))
        #expect(describe(late.actions) == ["apply a@local #1"])  // still waiting for the current content's apply
        #expect(d.target("a", "local")?.phase == .applying)
    }

    @Test func fixingTheFailedStepResumesAHaltedEvolution() {
        var d = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        d.applyOutcome = { a in a.step == "a" && a.objects[0]["data"] == [:] ? .failed(reason: "Invalid", message: "bad", retryable: false) : .applied(objects: []) }
        d.settle()
        #expect(d.status.phase == .halted)
        var steps = d.spec.steps
        steps[0].manifests = [configMap("a", ["ok": "yes"])]
        d.spec = EvolutionSpec(steps: steps)
        d.generation = 2
        d.log = []
        d.settle()
        #expect(d.log.prefix(5) == ["ledger Declared", "ledger Resumed a@local", "event Normal Resumed: a re-plans after a spec change",
                                    "ledger StepStarted a@local", "apply a@local #1"])
        #expect(d.status.phase == .converged)
        #expect(d.status.halt == nil)
    }

    @Test func addingATargetRunsOnlyThere() {
        var d = Driver(EvolutionSpec(targets: targets(["us"]), steps: sequence(["a", "b"], targets: ["us"])))
        d.settle()
        d.spec = EvolutionSpec(targets: targets(["us", "eu"]), steps: sequence(["a", "b"], targets: ["us", "eu"]))
        d.generation = 2
        d.log = []
        d.settle()
        #expect(d.log.filter { $0.hasPrefix("apply") } == ["apply a@eu #1", "apply b@eu #1"])
        #expect(d.status.phase == .converged)
    }

    @Test func anInsertedStepReRunsItsSuccessors() {
        var d = converged(sequence(["a", "c"]))
        d.spec = EvolutionSpec(steps: sequence(["a", "b", "c"]))
        d.generation = 2
        d.settle()
        #expect(d.log.filter { $0.hasPrefix("apply") } == ["apply b@local #1", "apply c@local #1"])
    }
}

struct InvalidSpecTests {
    @Test func invalidSpecStartsNothingAndSaysWhy() {
        let invalid = SpecValidationError([SpecIssue("spec.steps[2].converge.timeout", GoDuration.syntaxHint("10x"))])
        let input = EngineInput(generation: 3, spec: .failure(invalid), now: t0)
        let d = EvolutionEngine.decide(input)
        #expect(describe(d.actions) == [
            "ledger Invalid",
            #"event Warning InvalidSpec: spec.steps[2].converge.timeout: "10x" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m"#,
        ])
        #expect(d.status.phase == .invalid)
        #expect(d.status.observedGeneration == 3)
        let condition = d.status.condition("Invalid")
        #expect(condition?.isTrue == true)
        #expect(condition?.reason == "InvalidSpec")
        #expect(condition?.observedGeneration == 3)
        #expect(condition?.message == #"spec.steps[2].converge.timeout: "10x" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m"#)
        #expect(d.status.condition("Ready")?.isTrue == false)
        #expect(d.status.condition("Stalled")?.isTrue == true)
        // Recorded once per generation.
        #expect(EvolutionEngine.decide(EngineInput(generation: 3, spec: .failure(invalid), status: d.status, now: at(1))).actions.isEmpty)
    }

    @Test func readsTheObjectAsTheAPIServerReturnsIt() {
        let object: JSON = [
            "metadata": ["name": "e", "generation": 2],
            "spec": ["steps": [["name": "a", "apply": ["manifests": [configMap("a")]], "converge": ["timeout": "10x"]]]],
        ]
        let d = EvolutionEngine.decide(EngineInput(object: object, now: t0))
        #expect(d.status.condition("Invalid")?.message == #"spec.steps[0].converge.timeout: "10x" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m"#)
        var fixed = object
        fixed["spec"] = ["steps": [["name": "a", "apply": ["manifests": [configMap("a")]]]]]
        fixed["metadata"]?["generation"] = 3
        fixed["status"] = d.status.json
        let ok = EvolutionEngine.decide(EngineInput(object: fixed, now: at(1)))
        #expect(describe(ok.actions) == ["ledger Declared", "ledger StepStarted a@local", "apply a@local #1"])
        #expect(ok.status.condition("Invalid")?.isTrue == false)
        #expect(ok.status.condition("Invalid")?.lastTransitionTime == at(1))
        #expect(ok.status.condition("Ready")?.lastTransitionTime == t0)  // still False: time of last change kept
    }
}
