import EvolutionAPI
import KubeJSON

// Forward correction: a new spec re-plans instead of starting over. A step
// whose content hash is unchanged keeps its state (a converged step is not
// applied again); a changed or new step, and every step after it, runs again;
// work in flight for content that no longer exists is superseded.

extension Tick {
    /// Builds the forward step states for the current spec from the previous
    /// ones. `replan` is false while a compensation is under way: its outcome
    /// decides what the next plan starts from.
    mutating func alignForwardSteps(replan: Bool) -> StepRun {
        let previous = status.steps
        let hadPlan = !previous.isEmpty
        let graph = StepGraph(spec.steps)
        var dirty = Set<Int>()
        var states: [StepState] = []
        for (i, step) in spec.steps.enumerated() {
            var state: StepState
            if let old = previous.first(where: { $0.name == step.name }) {
                state = old
                let changed = old.contentHash != step.contentHash
                if replan, changed || graph.predecessors[i].contains(where: dirty.contains) {
                    dirty.insert(i)
                    let why = changed ? "content changed (\(old.contentHash) → \(step.contentHash))"
                        : "a predecessor changed: \(graph.predecessors[i].filter(dirty.contains).map { spec.steps[$0].name }.joined(separator: ", "))"
                    reset(&state, step: step, why: why)
                    if changed {
                        state.contentHash = step.contentHash
                        state.acknowledgedBy = nil
                        state.acknowledgedAt = nil
                    }
                }
            } else {
                state = StepState(name: step.name, contentHash: step.contentHash, targets: [])
                if hadPlan, replan { dirty.insert(i) }
            }
            // Targets follow the spec; a target that left while busy is superseded.
            let oldTargets = state.targets
            state.targets = step.targets.map { name in oldTargets.first { $0.name == name } ?? TargetState(name: name) }
            for gone in oldTargets where !step.targets.contains(gone.name) {
                supersede(step: step.name, gone, why: "target \(gone.name) was removed from the step")
            }
            states.append(state)
        }
        for old in previous where spec.step(named: old.name) == nil {
            for t in old.targets { supersede(step: old.name, t, why: "step \(old.name) was removed from the spec") }
        }
        status.steps = states
        return StepRun(steps: spec.steps, states: states, isCompensation: false)
    }

    /// Puts a step back to Pending on every target, recording work superseded.
    mutating func reset(_ state: inout StepState, step: Step, why: String) {
        for t in state.targets.indices {
            let target = state.targets[t]
            supersede(step: step.name, target, why: why)
            state.targets[t] = TargetState(name: target.name)
        }
    }

    mutating func supersede(step: String, _ target: TargetState, why: String) {
        guard target.phase == .applying || target.phase == .converging else { return }
        record(.superseded, step: step, target: target.name, key: "\(target.attempts)",
               detail: ["reason": .string(why), "phase": .string(target.phase.rawValue)])
        emit(.normal, "Superseded", "\(step) on \(target.name) superseded: \(why)")
    }

    /// After a compensation finished, a new generation starts a fresh plan:
    /// compensation changed the world, so nothing converged before still
    /// counts.
    mutating func restartAfterCompensation() {
        guard let compensation = status.compensation, compensation.phase != .progressing,
              generation > compensation.generation else { return }
        record(.resumed, detail: ["reason": .string("generation \(generation) re-plans from the start after compensation of \(compensation.failedStep)")])
        emit(.normal, "Resumed", "generation \(generation) starts a fresh plan after compensation")
        status.compensation = nil
        status.halt = nil
        status.steps = []
    }
}
