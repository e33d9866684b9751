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
                    $0.step == step.name && $0.target == target && $0.contentHash == run.states[i].contentHash
                }) else { continue }
                var state = run.states[i].targets[t]
                let attempt = "\(state.attempts)"
                switch result.outcome {
                case .applied(let versions):
                    state.phase = .converging
                    state.appliedAt = now
                    state.retryAt = nil
                    state.message = "applied; waiting for checks"
                    let objects: [JSON] = step.appliedObjects.map { key in
                        var o = key.json
                        o["resourceVersion"] = versions[key].map { .string($0) }
                        return o
                    }
                    record(.applied, step: step.name, target: target, key: attempt,
                           detail: ["contentHash": .string(step.contentHash), "objects": .array(objects)])
                case .failed(let reason, let message, let retryable):
                    record(.applyFailed, step: step.name, target: target, key: attempt,
                           detail: ["reason": .string(reason), "message": .string(message), "retryable": .bool(retryable)])
                    if retryable {
                        let retryAt = now + ApplyBackoff.delay(afterAttempt: state.attempts)
                        state.retryAt = retryAt
                        state.message = "apply failed (attempt \(state.attempts)): \(reason): \(message); retrying at \(retryAt)"
                        wake(at: retryAt)
                    } else {
                        fail(&state, step: step.name, reason: reason, message: "apply failed: \(reason): \(message)")
                    }
                }
                run.states[i].targets[t] = state
            }
        }
    }

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
                        fail(&state, step: step.name, reason: "CheckFailed", message: why)
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
                        fail(&state, step: step.name, reason: "Timeout", message: "did not converge within \(step.timeout)\(last)")
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

    mutating func fail(_ state: inout TargetState, step: String, reason: String, message: String) {
        state.phase = .failed
        state.passingSince = nil
        state.retryAt = nil
        state.message = message
        record(.stepFailed, step: step, target: state.name, key: "\(state.attempts)",
               detail: ["reason": .string(reason), "message": .string(message)])
        emit(.warning, "StepFailed", "\(step) failed on \(state.name): \(message)")
    }

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
                                          objects: step.manifests, attempt: state.attempts, compensation: run.isCompensation)))
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
