import EvolutionAPI
import KubeJSON

// Compensation: after a failure with `onFailure.action: Compensate`, the
// compensation steps run as a new forward sequence (own ordering, own
// convergence), not as an inverse replay of what was done.

extension Tick {
    /// Starts the compensation once the evolution halted and nothing forward
    /// is still in flight (a step mid-rollout finishes its current wait first).
    /// Returns the run, or `nil` when there is none (yet).
    mutating func compensationRun(forward: StepRun, mayStart: Bool) -> StepRun? {
        if status.compensation == nil {
            guard spec.onFailure.action == .compensate, let halt = status.halt, mayStart,
                  forward.inFlight.isEmpty else { return nil }
            // Scope: where the failed step had started (so something of it may have landed).
            let failed = forward.states.first { $0.name == halt.step }
            let scope = spec.targets.map(\.name).filter { name in failed?.target(name)?.startedAt != nil }
            let steps = effectiveCompensationSteps(scope: scope)
            status.compensation = CompensationState(
                phase: .progressing, failedStep: halt.step, scope: scope, generation: generation,
                steps: steps.map { StepState(name: $0.name, contentHash: $0.contentHash, targets: $0.targets.map { TargetState(name: $0) }) })
            record(.compensationStarted, step: halt.step, detail: [
                "failedStep": .string(halt.step), "failedTarget": .string(halt.target),
                "scope": .array(scope.map { .string($0) }),
                "steps": .array(steps.map { .string($0.name) }),
            ])
            emit(.warning, "CompensationStarted", "compensating \(halt.step) on \(scope.joined(separator: ", "))")
        }
        guard let compensation = status.compensation else { return nil }
        return StepRun(steps: effectiveCompensationSteps(scope: compensation.scope), states: compensation.steps, isCompensation: true)
    }

    /// Compensation steps with undeclared targets run on the scope only.
    func effectiveCompensationSteps(scope: [String]) -> [Step] {
        spec.onFailure.compensation.map { step in
            var s = step
            if !s.targetsDeclared { s.targets = scope }
            return s
        }
    }

    /// Advances the compensation and settles its outcome.
    mutating func progressCompensation(_ run: inout StepRun, mayStart: Bool, blocked: String) {
        guard var compensation = status.compensation, compensation.phase == .progressing else { return }
        absorbAcknowledgments(&run)
        absorbApplyResults(&run)
        evaluateConvergence(&run)
        let failed = run.firstFailure
        startRunnable(&run, mayStart: mayStart && failed == nil,
                      blocked: failed == nil ? blocked : "compensation halted: \(run.steps[failed!.step].name) failed")
        compensation.steps = run.states
        if let (i, t) = failed, run.inFlight.isEmpty {
            compensation.phase = .failed
            let target = run.states[i].targets[t]
            record(.compensationFailed, step: run.steps[i].name, target: target.name,
                   detail: ["message": .string(target.message), "failedStep": .string(compensation.failedStep)])
            emit(.warning, "CompensationFailed", "compensation step \(run.steps[i].name) failed on \(target.name): \(target.message)")
        } else if failed == nil, run.isConverged {
            compensation.phase = .converged
            record(.compensationConverged, step: compensation.failedStep,
                   detail: ["scope": .array(compensation.scope.map { .string($0) })])
            emit(.normal, "CompensationConverged", "compensation of \(compensation.failedStep) converged")
        }
        status.compensation = compensation
    }
}
