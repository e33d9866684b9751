import EvolutionAPI
import KubeJSON

// What status says: per-step phases and messages, the evolution's phase and
// one-line message, the printer columns, and kstatus-compatible conditions.
// Messages say why something waits, naming the step, the target and the
// observed fact ("gateway-policy waits for eu-west: Policy roles:
// observedGeneration 3 < generation 4").

extension Tick {
    mutating func summarizeSteps(_ run: inout StepRun) {
        for i in run.steps.indices {
            let step = run.steps[i]
            var state = run.states[i]
            let targets = state.targets
            if let failed = targets.first(where: { $0.phase == .failed }) {
                state.phase = .failed
                state.message = "failed on \(failed.name): \(failed.message)"
            } else if !targets.isEmpty, targets.allSatisfy({ $0.phase == .converged }) {
                state.phase = .converged
                state.message = "converged on \(targets.map(\.name).joined(separator: ", "))"
            } else if let busy = targets.first(where: { $0.phase == .applying || $0.phase == .converging }) {
                state.phase = .progressing
                state.message = "waits for \(busy.name): \(busy.message)"
            } else if let waiting = targets.first(where: { $0.phase == .pending }) {
                let started = targets.contains { $0.phase == .converged }
                let needsAck = step.acknowledgmentRequired && state.acknowledgedBy == nil
                    && run.graph.predecessors[i].allSatisfy { run.predecessorBlocks($0, on: waiting.name) == nil }
                state.phase = needsAck ? .waitingForAcknowledgment : started ? .progressing : .pending
                state.message = waiting.name == Target.localName && targets.count == 1
                    ? waiting.message : "on \(waiting.name) \(waiting.message)"
            }
            run.states[i] = state
        }
    }

    /// Sets phase, message, printer columns and conditions from the step
    /// states; records Completed when the evolution first converges.
    mutating func summarize(forward: StepRun, invalid: SpecValidationError? = nil) {
        let previous = input.status
        let total = forward.states.count
        let convergedCount = forward.states.filter { $0.phase == .converged }.count
        status.progress = "\(convergedCount)/\(total)"
        let active = forward.states.filter { $0.phase == .progressing || $0.phase == .waitingForAcknowledgment || $0.phase == .failed }

        var readyReason = "InProgress"
        if let invalid {
            status.phase = .invalid
            status.message = "spec is invalid: \(invalid)"
            readyReason = "InvalidSpec"
        } else if let refusal = status.refusal {
            status.phase = .failed
            readyReason = refusal.reason
            status.message = "refused: \(refusal.message)"
        } else if let compensation = status.compensation {
            let comp = compensation.steps.filter { $0.phase != .converged && $0.phase != .pending }
            switch compensation.phase {
            case .progressing:
                status.phase = .compensating
                readyReason = "Compensating"
                status.message = "compensating \(compensation.failedStep) on \(compensation.scope.joined(separator: ", "))"
                    + (comp.isEmpty ? "" : ": " + comp.map { "\($0.name) \($0.message)" }.joined(separator: "; "))
            case .converged:
                status.phase = .failed
                readyReason = "Compensated"
                status.message = "\(status.halt.map { "\($0.step) failed on \($0.target): \($0.message)" } ?? "a step failed"); compensation converged; edit the spec to start a new plan"
            case .failed:
                status.phase = .failed
                readyReason = "CompensationFailed"
                let bad = compensation.steps.first { $0.phase == .failed }
                status.message = "compensation failed: \(bad.map { "\($0.name) \($0.message)" } ?? "")"
            }
            status.currentSteps = (comp.isEmpty ? [compensation.failedStep] : comp.map(\.name)).joined(separator: ",")
        } else if let halt = status.halt {
            status.phase = .halted
            readyReason = halt.reason
            status.message = "halted: \(halt.step) failed on \(halt.target): \(halt.message); fix the spec (forward correction) or retry with kubectl causeway retry <evolution> \(halt.step)"
            if spec.onFailure.action == .compensate, !forward.inFlight.isEmpty {
                status.message += "; compensation starts when \(forward.inFlight.map { "\($0.step) on \($0.target)" }.joined(separator: ", ")) settles"
            }
        } else if total > 0, convergedCount == total {
            status.phase = .converged
            readyReason = "Converged"
            status.message = "all \(total) steps converged"
        } else if spec.paused {
            status.phase = .paused
            readyReason = "Paused"
            status.message = "paused: nothing new starts until spec.paused is false"
                + (active.isEmpty ? "" : "; " + active.map { "\($0.name) \($0.message)" }.joined(separator: "; "))
        } else {
            let started = forward.states.contains { s in s.targets.contains { $0.startedAt != nil } }
            status.phase = started ? .progressing : .pending
            // An apply failing and being retried says why Ready is false (TargetUnreachable, ...).
            if let retrying = forward.states.lazy.flatMap(\.targets).first(where: { $0.retryAt != nil && $0.reason != nil }) {
                readyReason = retrying.reason ?? readyReason
            }
            let shown = active.isEmpty ? Array(forward.states.filter { $0.phase == .pending }.prefix(1)) : active
            status.message = shown.map { "\($0.name) \($0.message)" }.joined(separator: "; ")
            if spec.drift.haltOnDrift, status.drifted > 0 {
                status.message = "\(status.drifted) unresolved deviation(s) and haltOnDrift: nothing new starts; " + status.message
            }
        }
        if status.compensation == nil {
            let current = status.halt.map { [$0.step] } ?? active.map(\.name)
            status.currentSteps = current.joined(separator: ",")
        }

        if invalid == nil, status.phase == .converged,
           previous.phase != .converged || previous.observedGeneration != generation {
            record(.completed, detail: ["steps": .int(Int64(total))])
            emit(.normal, "Completed", "all \(total) steps converged")
        }
        setConditions(readyReason: readyReason, invalid: invalid)
    }
}
