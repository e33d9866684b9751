import EvolutionAPI
import KubeJSON

// The per-target state machine, shared by forward and compensation steps:
//   Pending → Applying → Converging → Converged
//                ↘ Failed     ↘ Failed (check failed or timeout)

extension Tick {
    /// Takes in the reported outcomes of earlier applies, in plan order.
    mutating func absorbApplyResults(_ run: inout StepRun) {
        for i in run.steps.indices {
            let step = run.steps[i]
            for t in run.states[i].targets.indices where run.states[i].targets[t].phase == .applying {
                let target = run.states[i].targets[t].name
                guard let result = input.observations.applyResults.last(where: {
                    !$0.revert && $0.step == step.name && $0.target == target && $0.contentHash == run.states[i].contentHash
                }) else { continue }
                var state = run.states[i].targets[t]
                let attempt = "\(state.attempts)"
                switch result.outcome {
                case .applied(let objects):
                    state.phase = .converging
                    state.appliedAt = now
                    state.retryAt = nil
                    state.reason = nil
                    state.message = "applied; waiting for checks"
                    record(.applied, step: step.name, target: target, key: attempt,
                           detail: .object(AppliedObject.detail(stepContentHash: step.contentHash, objects: objects)))
                case .failed(let reason, let message, let retryable):
                    record(.applyFailed, step: step.name, target: target, key: attempt,
                           detail: ["reason": .string(reason), "message": .string(message), "retryable": .bool(retryable)])
                    if retryable {
                        let retryAt = now + ApplyBackoff.delay(afterAttempt: state.attempts)
                        state.retryAt = retryAt
                        state.reason = FailureReason(applyReason: reason).rawValue
                        state.message = "apply failed (attempt \(state.attempts)): \(reason): \(message); retrying at \(retryAt)"
                        emit(.warning, state.reason ?? reason, "\(step.name) on \(target): \(state.message)")
                        wake(at: retryAt)
                    } else {
                        fail(&state, step: step.name, reason: FailureReason(applyReason: reason), message: "apply failed: \(reason): \(message)")
                    }
                }
                run.states[i].targets[t] = state
            }
        }
    }

    /// Records acknowledgments for steps that need one and have none yet.
    mutating func absorbAcknowledgments(_ run: inout StepRun) {
        for i in run.steps.indices where run.steps[i].acknowledgmentRequired && run.states[i].acknowledgedBy == nil {
            guard let ack = input.acknowledgments.first(where: { $0.step == run.steps[i].name }) else { continue }
            run.states[i].acknowledgedBy = ack.by
            run.states[i].acknowledgedAt = ack.at
            record(.acknowledged, step: ack.step, key: run.states[i].contentHash, actor: ack.by,
                   detail: ["at": .string(ack.at.rfc3339), "contentHash": .string(run.states[i].contentHash)])
            emit(.normal, "Acknowledged", "\(ack.step) acknowledged by \(ack.by)")
        }
    }
}
