import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

struct OrderingTests {
    @Test func firstDecisionDeclaresAndStartsOnlyTheFirstStep() {
        var driver = Driver(EvolutionSpec(steps: sequence(["a", "b", "c"])))
        let d = driver.tick()
        #expect(describe(d.actions) == [
            "ledger Declared",
            "ledger StepStarted a@local",
            "apply a@local #1",
        ])
        #expect(d.status.phase == .progressing)
        #expect(d.status.observedGeneration == 1)
        #expect(d.status.progress == "0/3")
        #expect(d.status.currentSteps == "a")
        #expect(d.status.step("b")?.phase == .pending)
        #expect(d.status.step("b")?.message == "waits for a to converge on every target (Lockstep); local is Applying: applying")
        #expect(d.requeueAt == t0 + .minutes(10))
    }

    @Test func convergenceStartsTheSuccessorInTheSameDecision() {
        var driver = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        driver.tick()
        let d = driver.tick(at: at(1))
        #expect(describe(d.actions) == [
            "ledger Applied a@local",
            "ledger CheckpointObserved a@local",
            "ledger StepConverged a@local",
            "ledger StepConverged a",
            "event Normal StepConverged: a converged on local",
            "ledger StepStarted b@local",
            "apply b@local #1",
        ])
        let c = driver.tick(at: at(2))
        #expect(describe(c.actions) == [
            "ledger Applied b@local", "ledger CheckpointObserved b@local", "ledger StepConverged b@local",
            "ledger StepConverged b", "event Normal StepConverged: b converged on local",
            "ledger Completed", "event Normal Completed: all 2 steps converged",
        ])
        #expect(c.status.phase == .converged)
        #expect(c.status.progress == "2/2")
        #expect(c.status.condition("Ready")?.isTrue == true)
        #expect(c.status.condition("Ready")?.observedGeneration == 1)
        #expect(c.status.condition("Progressing")?.isTrue == false)
        #expect(c.requeueAt == nil)
        // Converged is stable: nothing more to do.
        #expect(driver.tick(at: at(3)).actions.isEmpty)
    }

    @Test func independentStepsStartTogetherInListOrder() {
        let steps = [step("a"), step("docs", after: []), step("b", after: ["a"]), step("lint", after: [])]
        var driver = Driver(EvolutionSpec(steps: steps))
        #expect(describe(driver.tick().actions) == [
            "ledger Declared",
            "ledger StepStarted a@local", "apply a@local #1",
            "ledger StepStarted docs@local", "apply docs@local #1",
            "ledger StepStarted lint@local", "apply lint@local #1",
        ])
        #expect(driver.status.currentSteps == "a,docs,lint")
    }

    @Test func joinWaitsForEveryPredecessor() {
        let steps = [step("a"), step("b", after: []), step("join", after: ["a", "b"])]
        var driver = Driver(EvolutionSpec(steps: steps))
        driver.applyOutcome = { a in
            a.step == "b" ? .failed(reason: "ServiceUnavailable", message: "try later", retryable: true) : .applied(objects: [])
        }
        driver.autoCreate = true
        driver.tick()
        let d = driver.tick(at: at(1))
        #expect(!describe(d.actions).contains("ledger StepStarted join@local"))
        #expect(driver.status.step("join")?.message.hasPrefix("waits for b to converge on every target (Lockstep); local is Applying: apply failed (attempt 1)") == true)
    }

    @Test func sameInputSameDecision() {
        var driver = Driver(EvolutionSpec(targets: targets(["us", "eu"]), steps: [
            step("a", targets: ["us", "eu"]), step("b", after: [], targets: ["eu"]), step("c", after: ["a", "b"], targets: ["us", "eu"]),
        ]))
        driver.tick()
        let input = driver.input
        let first = EvolutionEngine.decide(input)
        let second = EvolutionEngine.decide(input)
        #expect(first.actions == second.actions)
        #expect(first.status == second.status)
        #expect(first.requeueAt == second.requeueAt)
    }

    @Test func ledgerIdsAreDeterministicAndDistinct() {
        var driver = Driver(EvolutionSpec(targets: targets(["us", "eu"]), steps: sequence(["a", "b"], targets: ["us", "eu"])))
        var ids: [String] = []
        for s in 0..<4 {
            ids += driver.tick(at: at(Int64(s))).ledgerRecords.map(\.id)
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.prefix(3) == ["g1/Declared/-/-", "g1/StepStarted/a/us/1", "g1/StepStarted/a/eu/1"])
    }

    @Test func anUnreportedApplyIsRequestedAgainWithoutANewAttempt() {
        var driver = Driver(EvolutionSpec(steps: sequence(["a"])))
        driver.tick()
        driver.results = []  // the controller crashed before reporting
        let d = driver.tick(at: at(1))
        #expect(describe(d.actions) == ["apply a@local #1"])
        #expect(driver.target("a", "local")?.attempts == 1)
    }
}

struct CrashReplayTests {
    /// A controller that crashed after acting but before writing status
    /// decides again later from the old status: the ledger ids must repeat,
    /// so the ledger absorbs what it already recorded.
    @Test func aReplayedDecisionRepeatsItsLedgerIds() {
        var d = Driver(EvolutionSpec(targets: targets(["us", "eu"]), steps: [
            step("a", targets: ["us", "eu"], stableFor: .seconds(5)), step("b", after: ["a"], targets: ["us", "eu"]),
        ]))
        for s: Int64 in [0, 1, 6] {
            let input = d.input
            let first = EvolutionEngine.decide(input)
            var later = input
            later.now = input.now + .seconds(2)
            let replay = EvolutionEngine.decide(later)
            #expect(first.ledgerRecords.map(\.id) == replay.ledgerRecords.map(\.id), "at \(s)")
            #expect(first.applies == replay.applies)
            d.tick(at: at(s))
        }
        #expect(d.log.contains("ledger CheckpointObserved a@us"))
    }
}

/// Writing status triggers a watch event and another decision; if an idle
/// decision changed status, the controller would loop writing it.
struct IdleStabilityTests {
    func expectIdle(_ d: inout Driver, _ label: String) {
        let before = d.status
        let idle = d.tick(at: d.now + .seconds(1))
        #expect(idle.actions.isEmpty, "\(label): \(describe(idle.actions))")
        #expect(idle.status == before, "\(label)")
    }

    @Test func idleDecisionsLeaveStatusUnchanged() {
        var waiting = Driver(EvolutionSpec(steps: [step("a", stableFor: .seconds(30)), step("b", after: ["a"], ack: true)]))
        waiting.autoCreate = false
        waiting.tick()
        waiting.tick(at: at(1))
        expectIdle(&waiting, "converging, object missing")
        waiting.objects["local"] = [key(configMap("a")): configMap("a")]
        waiting.tick(at: at(5))
        expectIdle(&waiting, "inside the stability window")
        waiting.tick(at: at(40))
        expectIdle(&waiting, "waiting for acknowledgment")

        var halted = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        halted.applyOutcome = { _ in .failed(reason: "Forbidden", message: "no", retryable: false) }
        halted.settle()
        expectIdle(&halted, "halted")

        var done = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        done.settle()
        expectIdle(&done, "converged")

        var paused = Driver(EvolutionSpec(steps: sequence(["a"]), paused: true))
        paused.tick()
        expectIdle(&paused, "paused")
    }
}
