import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing
import TestSupport

/// For random DAGs, sync modes, target subsets, acknowledgments and
/// convergence timings, simulate an event-driven controller (decide again on
/// apply results, on objects appearing, on acknowledgments, and at
/// `requeueAt`, plus spurious wake-ups) and check the guarantees:
/// * no step starts on a target before its predecessors converged as their
///   sync mode requires, both per the ledger and per the simulated world;
/// * nothing is claimed converged before the world held for stableFor;
/// * every step is applied exactly once per target, and every run converges.
struct PropertyTests {
    struct Plan {
        var spec: EvolutionSpec
        /// When each (step, target)'s object becomes ready, relative to its apply.
        var delay: [String: [String: Int64]]
        var ackAt: [String: Int64]
    }

    static func randomPlan(_ rng: inout SplitMix64) -> Plan {
        let allTargets = ["t0", "t1", "t2"].prefix(Int.random(in: 1...3, using: &rng)).map { $0 }
        let count = Int.random(in: 1...7, using: &rng)
        var steps: [Step] = []
        var delay: [String: [String: Int64]] = [:]
        var ackAt: [String: Int64] = [:]
        for i in 0..<count {
            let name = "s\(i)"
            let after = (0..<i).filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }.map { "s\($0)" }
            var targets = allTargets.filter { _ in Bool.random(using: &rng) }
            if targets.isEmpty || Bool.random(using: &rng) { targets = allTargets }
            let ack = Int.random(in: 0..<6, using: &rng) == 0
            if ack { ackAt[name] = Int64.random(in: 0...60, using: &rng) }
            steps.append(Step(name: name, after: after, sync: Bool.random(using: &rng) ? .lockstep : .independent,
                              targets: targets, targetsDeclared: targets != allTargets, manifests: [configMap(name)],
                              stableFor: .seconds([0, 0, 3, 10].randomElement(using: &rng)!), timeout: .hours(1),
                              acknowledgmentRequired: ack))
            for t in targets { delay[name, default: [:]][t] = Int64.random(in: 0...30, using: &rng) }
        }
        return Plan(spec: EvolutionSpec(targets: allTargets.map { Target(name: $0) }, steps: steps), delay: delay, ackAt: ackAt)
    }

    @Test func randomDAGsRespectOrderingAndConverge() {
        var rng = SplitMix64(seed: 0x0CA5_E3A7)
        for trial in 0..<300 {
            let plan = Self.randomPlan(&rng)
            let problems = simulate(plan, edit: nil, rng: &rng)
            #expect(problems.isEmpty, "trial \(trial): \(problems.prefix(3)) in \(plan.spec.steps.map { "\($0.name)<-\($0.after) \($0.sync.rawValue) \($0.targets)" })")
            if !problems.isEmpty { break }
        }
    }

    /// Forward correction under the same guarantees: one step's content is
    /// edited at a random moment (a new generation). Steps that neither
    /// changed nor follow a changed step are applied exactly once; the
    /// changed step and its successors once more than before the edit, ending
    /// on the new content; ordering holds throughout; every run converges.
    @Test func randomEditsMidRunReplanOnlyWhatChanged() {
        var rng = SplitMix64(seed: 0xF0_2A_2D)
        for trial in 0..<300 {
            let plan = Self.randomPlan(&rng)
            let edit = (tick: Int.random(in: 0..<12, using: &rng), step: Int.random(in: 0..<plan.spec.steps.count, using: &rng))
            let problems = simulate(plan, edit: edit, rng: &rng)
            #expect(problems.isEmpty, "trial \(trial), edit \(edit): \(problems.prefix(3)) in \(plan.spec.steps.map { "\($0.name)<-\($0.after) \($0.sync.rawValue) \($0.targets)" })")
            if !problems.isEmpty { break }
        }
    }

    func simulate(_ plan: Plan, edit: (tick: Int, step: Int)?, rng: inout SplitMix64) -> [String] {
        var spec = plan.spec
        var generation: Int64 = 1
        var dirty = Set<String>()
        var problems: [String] = []
        var status = EvolutionStatus()
        var now = t0
        var results: [ApplyResult] = []
        var readyAt: [String: [String: Timestamp]] = [:]   // step → target → world-ready time
        var converged: [String: Set<String>] = [:]          // per the ledger
        var applied: [String: Int] = [:]
        var objects: [String: [ObjectKey: JSON]] = [:]
        var lastHash: [String: String] = [:]
        var appliedBeforeEdit: [String: Int] = [:]
        for iteration in 0..<2_000 {
            if let edit, iteration == edit.tick {
                spec.steps[edit.step].manifests = [configMap(spec.steps[edit.step].name, ["edited": "true"])]
                generation = 2
                let graph = StepGraph(spec.steps)
                dirty = Set(([edit.step] + graph.descendants(of: edit.step)).map { spec.steps[$0].name })
                for name in dirty { converged[name] = nil }
                appliedBeforeEdit = applied
            }
            for (step, byTarget) in readyAt {
                for (target, time) in byTarget where time <= now {
                    objects[target, default: [:]][key(configMap(step))] = configMap(step)
                }
            }
            let acks = plan.ackAt.filter { t0 + .seconds($0.value) <= now }.sorted { $0.key < $1.key }
                .map { Acknowledgment(step: $0.key, by: "tester", at: t0 + .seconds($0.value)) }
            let decision = EvolutionEngine.decide(EngineInput(
                generation: generation, spec: .success(spec), status: status,
                observations: Observations(objects: objects, applyResults: results), acknowledgments: acks, now: now))
            status = decision.status
            results = []
            for action in decision.actions {
                switch action {
                case .recordLedger(let r) where r.event == .stepConverged:
                    guard let s = r.step, let t = r.target else { continue }
                    let step = spec.step(named: s)!
                    guard let ready = readyAt[s]?[t], ready + step.stableFor <= now else {
                        problems.append("\(s)@\(t) claimed converged at \(now) before the world held for \(step.stableFor)")
                        continue
                    }
                    converged[s, default: []].insert(t)
                case .apply(let a):
                    applied["\(a.step)@\(a.target)", default: 0] += 1
                    problems += checkStart(a.step, a.target, spec: spec, converged: converged, readyAt: readyAt, now: now, plan: plan)
                    results.append(ApplyResult(step: a.step, target: a.target, contentHash: a.contentHash, outcome: .applied(objects: [])))
                    readyAt[a.step, default: [:]][a.target] = now + .seconds(plan.delay[a.step]![a.target]!)
                    objects[a.target]?[key(configMap(a.step))] = nil  // not ready again until its delay passed
                    lastHash[a.step] = a.contentHash
                default: break
                }
            }
            if status.phase == .converged, edit == nil || iteration >= edit!.tick { break }
            if !results.isEmpty { continue }  // report apply outcomes at once
            var wakeups = readyAt.values.flatMap(\.values).filter { $0 > now }
            wakeups += plan.ackAt.values.map { t0 + .seconds($0) }.filter { $0 > now }
            if let requeue = decision.requeueAt { wakeups.append(requeue) }
            if let edit, iteration < edit.tick, wakeups.isEmpty { continue }
            guard let next = wakeups.min() else {
                problems.append("stalled at \(now) in phase \(status.phase.rawValue): \(status.message)")
                break
            }
            // Sometimes an unrelated watch event wakes the controller early.
            now = Int.random(in: 0..<4, using: &rng) == 0 && next > now + .seconds(1) ? now + .seconds(1) : next
        }
        if status.phase != .converged { problems.append("ended \(status.phase.rawValue): \(status.message)") }
        for step in spec.steps {
            for t in step.targets {
                let id = "\(step.name)@\(t)"
                // Changed steps and their successors run once more; everything else exactly once.
                let expected = dirty.contains(step.name) ? (appliedBeforeEdit[id] ?? 0) + 1 : 1
                if applied[id] != expected {
                    problems.append("\(id) applied \(applied[id] ?? 0) times, expected \(expected) (changed or after a change: \(dirty.contains(step.name)))")
                }
            }
            if lastHash[step.name] != step.contentHash { problems.append("\(step.name) ended on stale content") }
        }
        return problems
    }

    func checkStart(_ s: String, _ t: String, spec: EvolutionSpec, converged: [String: Set<String>],
                    readyAt: [String: [String: Timestamp]], now: Timestamp, plan: Plan) -> [String] {
        var problems: [String] = []
        let step = spec.step(named: s)!
        if let ack = plan.ackAt[s], t0 + .seconds(ack) > now {
            problems.append("\(s)@\(t) started at \(now) before its acknowledgment")
        }
        for p in step.after {
            let pred = spec.step(named: p)!
            let required = pred.sync == .independent && pred.targets.contains(t) ? [t] : pred.targets
            for r in required {
                if converged[p]?.contains(r) != true {
                    problems.append("\(s)@\(t) started at \(now) before \(p) (\(pred.sync.rawValue)) converged on \(r) per the ledger")
                }
                if let ready = readyAt[p]?[r], ready + pred.stableFor <= now {} else {
                    problems.append("\(s)@\(t) started at \(now) before \(p) was ready on \(r) in the world")
                }
            }
        }
        return problems
    }
}

