import EvolutionAPI
import KubeJSON

// Starting steps: only when every gate is open, in list order then target order.

extension Tick {
    /// Starts every target whose gates are open, in list order then target
    /// order, when `mayStart`; otherwise leaves pending targets with `blocked`
    /// as their reason. Re-issues applies whose outcome was never reported
    /// and retries that are due, whatever `mayStart` says: they continue work
    /// already begun.
    mutating func startRunnable(_ run: inout StepRun, mayStart: Bool, blocked: String) {
        for i in run.steps.indices {
            let step = run.steps[i]
            for t in run.states[i].targets.indices {
                var state = run.states[i].targets[t]
                switch state.phase {
                case .applying:
                    if let retryAt = state.retryAt {
                        guard now >= retryAt else { break }
                        state.retryAt = nil
                        state.attempts += 1
                        state.message = "applying (attempt \(state.attempts))"
                    }
                    emitApply(step, run: run, i, state)
                case .pending:
                    if !mayStart {
                        state.message = blocked
                    } else if let reason = gate(run, i, target: state.name) {
                        state.message = reason
                    } else {
                        state.phase = step.manifests.isEmpty ? .converging : .applying
                        state.attempts += 1
                        state.startedAt = now
                        state.appliedAt = step.manifests.isEmpty ? now : nil
                        state.passingSince = nil
                        state.checkpoints = 0
                        state.convergedAt = nil
                        state.message = step.manifests.isEmpty ? "waiting for checks" : "applying"
                        record(.stepStarted, step: step.name, target: state.name, key: "\(state.attempts)",
                               detail: ["contentHash": .string(step.contentHash), "attempt": .int(Int64(state.attempts)),
                                        "after": .array(step.after.map { .string($0) })])
                        if !step.manifests.isEmpty { emitApply(step, run: run, i, state) }
                        wake(at: now + step.timeout)
                    }
                default:
                    break
                }
                run.states[i].targets[t] = state
            }
        }
    }

    /// Why step `i` may not start on `target` yet, or `nil` when it may.
    func gate(_ run: StepRun, _ i: Int, target: String) -> String? {
        for p in run.graph.predecessors[i] {
            if let reason = run.predecessorBlocks(p, on: target) { return reason }
        }
        let step = run.steps[i]
        if step.acknowledgmentRequired, run.states[i].acknowledgedBy == nil {
            return "waits for acknowledgment: kubectl causeway ack <evolution> \(step.name) (annotation \(Acknowledgment.annotation(for: step.name)))"
        }
        return nil
    }

    mutating func emitApply(_ step: Step, run: StepRun, _ i: Int, _ state: TargetState) {
        actions.append(.apply(ApplyAction(step: step.name, target: state.name, contentHash: run.states[i].contentHash,
                                          objects: step.manifests, attempt: state.attempts, compensation: run.isCompensation,
                                          freeze: spec.drift.freeze)))
    }
}
