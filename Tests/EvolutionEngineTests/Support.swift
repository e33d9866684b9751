import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

let t0 = Timestamp(secondsSinceEpoch: 1_773_135_000)  // 2026-03-10T09:30:00Z
func at(_ seconds: Int64) -> Timestamp { t0 + .seconds(seconds) }

func configMap(_ name: String, _ data: JSON = [:]) -> JSON {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
}

func key(_ manifest: JSON) -> ObjectKey { ObjectKey(manifest: manifest)! }

/// A step applying one ConfigMap named after it (current as soon as it exists).
func step(_ name: String, after: [String] = [], sync: SyncMode = .lockstep, targets: [String] = ["local"],
          targetsDeclared: Bool = false, manifests: [JSON]? = nil, checks: [ConvergenceCheck] = [.current(nil)],
          stableFor: GoDuration = .zero, timeout: GoDuration = .minutes(10), ack: Bool = false) -> Step {
    Step(name: name, after: after, sync: sync, targets: targets, targetsDeclared: targetsDeclared,
         manifests: manifests ?? [configMap(name)], checks: checks, stableFor: stableFor, timeout: timeout,
         acknowledgmentRequired: ack)
}

/// A sequence of steps where each comes after the previous.
func sequence(_ names: [String], targets: [String] = ["local"], sync: SyncMode = .lockstep) -> [Step] {
    names.enumerated().map { i, n in step(n, after: i == 0 ? [] : [names[i - 1]], sync: sync, targets: targets) }
}

func targets(_ names: [String]) -> [Target] { names.map { Target(name: $0) } }

/// Actions in a compact, readable form for exact comparisons.
func describe(_ actions: [Action]) -> [String] {
    actions.map { action in
        switch action {
        case .apply(let a):
            return "apply \(a.step)@\(a.target) #\(a.attempt)" + (a.compensation ? " compensation" : "") + (a.revert ? " revert" : "")
        case .recordLedger(let r):
            var s = "ledger \(r.event.rawValue)"
            if let step = r.step { s += " \(step)" }
            if let target = r.target { s += "@\(target)" }
            if let actor = r.actor { s += " by \(actor)" }
            return s
        case .emitEvent(let e):
            return "event \(e.type.rawValue) \(e.reason): \(e.message)"
        }
    }
}

/// Drives the engine over several decisions the way the controller would:
/// applies succeed (or as `applyOutcome` says) and their results are reported
/// in the next decision; applied objects appear on the target when
/// `autoCreate` is set.
struct Driver {
    var spec: EvolutionSpec
    var generation: Int64 = 1
    var status = EvolutionStatus()
    var now = t0
    var objects: [String: [ObjectKey: JSON]] = [:]
    var results: [ApplyResult] = []
    var acknowledgments: [Acknowledgment] = []
    var retry: RetryRequest?
    /// Objects the watches say do not exist, up to a resourceVersion.
    var absent: [String: [ObjectKey: String]] = [:]
    /// Applies as the API server answers them: a resourceVersion and causeway's managedFields
    /// on the object, and the baselines they leave in the result (see `ServerSimulation`).
    var server: ServerSimulation?
    var refusal: RefusalRecord?
    var journals: [String: [String: JournalRead]] = [:]
    var journalsEnabled = false
    var autoCreate = true
    var applyOutcome: @Sendable (ApplyAction) -> ApplyResult.Outcome = { _ in .applied(objects: []) }
    var log: [String] = []

    init(_ spec: EvolutionSpec) { self.spec = spec }

    var input: EngineInput {
        EngineInput(generation: generation, spec: .success(spec), status: status,
                    observations: Observations(objects: objects, applyResults: results, absent: absent, refusal: refusal, journals: journals,
                                               journalsEnabled: journalsEnabled),
                    acknowledgments: acknowledgments, retry: retry, now: now)
    }

    @discardableResult
    mutating func tick(at time: Timestamp? = nil) -> Decision {
        if let time { now = time }
        let decision = EvolutionEngine.decide(input)
        status = decision.status
        results = []
        for a in decision.applies {
            let outcome = applyOutcome(a)
            var baselines: [OwnedObject] = []
            if autoCreate, case .applied = outcome {
                for o in a.objects {
                    guard var server else { objects[a.target, default: [:]][key(o)] = o; continue }
                    let stored = server.apply(o, over: objects[a.target]?[key(o)])
                    self.server = server
                    objects[a.target, default: [:]][key(o)] = stored
                    absent[a.target]?[key(o)] = nil
                    if var owned = DriftInspection.baseline(after: stored, target: a.target, step: a.step, contentHash: a.contentHash, object: key(o)) {
                        owned.frozen = a.freeze  // as the controller records the mark it applied
                        baselines.append(owned)
                    }
                }
            }
            results.append(ApplyResult(step: a.step, target: a.target, contentHash: a.contentHash, outcome: outcome, revert: a.revert,
                                       baselines: baselines))
        }
        log += describe(decision.actions)
        return decision
    }

    /// Ticks until nothing happens any more (at most `limit` times).
    mutating func settle(limit: Int = 20) {
        for _ in 0..<limit {
            let d = tick()
            if d.actions.isEmpty { return }
        }
    }

    func target(_ step: String, _ target: String) -> TargetState? { status.step(step)?.target(target) }
}
