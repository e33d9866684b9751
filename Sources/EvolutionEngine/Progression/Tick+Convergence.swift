import EvolutionAPI
import KubeJSON

// Convergence: checks hold continuously for stableFor, within timeout.

extension Tick {
    /// Evaluates checks where a step was applied; converges after `stableFor`,
    /// fails on a failed check or when `timeout` elapses.
    mutating func evaluateConvergence(_ run: inout StepRun) {
        for i in run.steps.indices {
            let step = run.steps[i]
            let wasConverged = run.isConvergedEverywhere(i) && !run.states[i].targets.isEmpty
            for t in run.states[i].targets.indices {
                var state = run.states[i].targets[t]
                guard state.phase == .applying || state.phase == .converging else { continue }
                if state.phase == .converging {
                    switch CheckEvaluator.evaluate(step, on: state.name, input.observations) {
                    case .failed(let why):
                        fail(&state, step: step.name, reason: .checkFailed, message: why)
                    case .waiting(let why):
                        state.passingSince = nil
                        state.message = why
                    case .holds:
                        if state.passingSince == nil {
                            state.passingSince = now
                            state.checkpoints += 1
                            record(.checkpointObserved, step: step.name, target: state.name, key: "\(state.attempts).\(state.checkpoints)",
                                   detail: ["checks": .array(step.checks.map(\.json)), "stableFor": .string(step.stableFor.description),
                                            "since": .string(now.rfc3339)])
                        }
                        let stableUntil = state.passingSince! + step.stableFor
                        if now >= stableUntil {
                            state.phase = .converged
                            state.convergedAt = now
                            state.message = ""
                            record(.stepConverged, step: step.name, target: state.name, key: "\(state.attempts)",
                                   detail: ["contentHash": .string(step.contentHash)])
                        } else {
                            state.message = "checks hold since \(state.passingSince!); stable for \(step.stableFor) at \(stableUntil)"
                            wake(at: stableUntil)
                        }
                    }
                }
                if state.phase == .applying || state.phase == .converging, let started = state.startedAt {
                    let deadline = started + step.timeout
                    if now >= deadline {
                        let last = state.message.isEmpty ? "" : ": \(state.message)"
                        fail(&state, step: step.name, reason: .timeout, message: "did not converge within \(step.timeout)\(last)")
                    } else {
                        wake(at: deadline)
                    }
                }
                run.states[i].targets[t] = state
            }
            if !wasConverged, run.isConvergedEverywhere(i), !run.states[i].targets.isEmpty {
                record(.stepConverged, step: step.name, key: "all",
                       detail: ["targets": .array(run.states[i].targets.map { .string($0.name) }),
                                "contentHash": .string(step.contentHash)])
                emit(.normal, "StepConverged", "\(step.name) converged on \(run.states[i].targets.map(\.name).joined(separator: ", "))")
            }
        }
    }

    mutating func fail(_ state: inout TargetState, step: String, reason: FailureReason, message: String) {
        state.phase = .failed
        state.passingSince = nil
        state.retryAt = nil
        state.reason = reason.rawValue
        state.message = message
        record(.stepFailed, step: step, target: state.name, key: "\(state.attempts)",
               detail: ["reason": .string(reason.rawValue), "message": .string(message)])
        emit(.warning, "StepFailed", "\(step) failed on \(state.name): \(message)")
    }
}
