import EvolutionAPI
import KubeJSON

// Halting and resuming: the first failure in plan order stops new starts;
// a spec change that resets the failed step, or a retry request, resumes.

extension Tick {
    /// Clears the halt when the step that caused it no longer failed there
    /// (forward correction reset it, or it left the spec).
    mutating func clearResolvedHalt(_ run: StepRun) {
        guard let halt = status.halt, status.compensation == nil else { return }
        let stillFailed = run.states.first { $0.name == halt.step }?.target(halt.target)?.phase == .failed
        guard !stillFailed else { return }
        status.halt = nil
        record(.resumed, step: halt.step, target: halt.target, key: "spec",
               detail: ["reason": .string("the spec changed; \(halt.step) re-plans")])
        emit(.normal, "Resumed", "\(halt.step) re-plans after a spec change")
    }

    /// Honours a retry request once per token: the failed targets of the named
    /// step go back to Pending, keeping their attempt count.
    mutating func applyRetry(_ run: inout StepRun) {
        guard let retry = input.retry, retry.token != status.lastRetryToken else { return }
        status.lastRetryToken = retry.token
        guard status.compensation == nil, let i = run.steps.firstIndex(where: { $0.name == retry.step }),
              run.states[i].targets.contains(where: { $0.phase == .failed })
        else {
            let why = status.compensation != nil ? "a compensation ran; edit the spec to start a new plan"
                : "\(retry.step) has not failed"
            emit(.warning, "RetryIgnored", "retry of \(retry.step) requested by \(retry.requestedBy) ignored: \(why)")
            return
        }
        for t in run.states[i].targets.indices where run.states[i].targets[t].phase == .failed {
            let old = run.states[i].targets[t]
            run.states[i].targets[t] = TargetState(name: old.name, attempts: old.attempts)
        }
        if status.halt?.step == retry.step { status.halt = nil }
        record(.resumed, step: retry.step, key: "retry-\(retry.token)", actor: retry.requestedBy,
               detail: ["reason": .string("retry requested")])
        emit(.normal, "Resumed", "\(retry.step) retried by \(retry.requestedBy)")
    }

    /// Halts on the first failure in plan order, once.
    mutating func haltOnFailure(_ run: StepRun) {
        guard status.halt == nil, let (i, t) = run.firstFailure else { return }
        let target = run.states[i].targets[t]
        let halt = HaltRecord(step: run.steps[i].name, target: target.name, reason: target.reason ?? FailureReason.applyFailed.rawValue,
                              message: target.message, at: now)
        status.halt = halt
        record(.halted, step: halt.step, target: halt.target, key: "\(target.attempts)",
               detail: ["reason": .string(halt.reason), "message": .string(halt.message), "onFailure": .string(spec.onFailure.action.rawValue)])
        emit(.warning, "Halted", "\(halt.step) failed on \(halt.target): \(halt.message); nothing new starts")
    }

    /// Adopts the controller's verdict on this generation's plan. A new refusal is
    /// recorded (StepFailed for the refused step, then Halted) and told once; a
    /// refusal that cleared (rights granted, account created) is recorded as Resumed.
    mutating func takeRefusal() {
        let refusal = input.observations.refusal
        defer { status.refusal = refusal }
        guard refusal != input.status.refusal else { return }
        if let refusal {
            let key = "refused-\(refusal.reason)"
            let detail: JSON = ["reason": .string(refusal.reason), "message": .string(refusal.message), "refused": true]
            if let step = refusal.step { record(.stepFailed, step: step, target: refusal.target, key: key, detail: detail) }
            record(.halted, step: refusal.step, target: refusal.target, key: key, detail: detail)
            emit(.warning, refusal.reason, "refused: \(refusal.message)")
        } else if let old = input.status.refusal {
            record(.resumed, step: old.step, target: old.target, key: "admitted-\(old.reason)",
                   detail: ["reason": .string("the plan was admitted; \(old.reason) no longer applies")])
            emit(.normal, "Admitted", "the plan was admitted; \(old.reason) no longer applies")
        }
    }
}
