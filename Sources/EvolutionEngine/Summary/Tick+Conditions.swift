import EvolutionAPI

// kstatus-compatible conditions, each with observedGeneration: Ready (what
// kubectl wait, Flux and Argo CD read), Progressing, Halted, Invalid,
// Drifted, and Stalled (kstatus' "this will not finish by itself").
// lastTransitionTime changes only when a condition's status does.

extension Tick {
    mutating func setConditions(readyReason: String, invalid: SpecValidationError?) {
        let phase = status.phase
        let message = status.message
        let halted = phase == .halted || phase == .compensating || phase == .failed
        let progressing = phase == .progressing || phase == .pending || phase == .compensating
        var conditions: [StatusCondition] = [
            StatusCondition(type: StatusCondition.ready, status: phase == .converged, reason: readyReason, message: message),
            StatusCondition(type: StatusCondition.progressing, status: progressing,
                            reason: progressing ? (phase == .compensating ? "Compensating" : "StepsInProgress") : readyReason,
                            message: progressing ? message : ""),
            StatusCondition(type: StatusCondition.halted, status: halted,
                            reason: halted ? readyReason : "NotHalted", message: halted ? message : ""),
            StatusCondition(type: StatusCondition.invalid, status: invalid != nil,
                            reason: invalid != nil ? "InvalidSpec" : "ValidSpec", message: invalid.map(\.description) ?? ""),
            StatusCondition(type: StatusCondition.drifted, status: status.drifted > 0,
                            reason: status.drifted == 0 ? "NoDeviations"
                                : status.drift.deviations.contains { $0.state == .contested } ? "DriftContested" : "DeviationsFound",
                            message: driftMessage),
        ]
        let stalled = phase == .halted || phase == .failed || phase == .invalid
        conditions.append(StatusCondition(type: StatusCondition.stalled, status: stalled,
                                          reason: stalled ? readyReason : "NotStalled", message: stalled ? message : ""))
        for i in conditions.indices {
            conditions[i].observedGeneration = generation
            let old = input.status.condition(conditions[i].type)
            conditions[i].lastTransitionTime = old?.status == conditions[i].status ? (old?.lastTransitionTime ?? now) : now
        }
        status.conditions = conditions
    }

    /// The unresolved deviations in one line (the first three), and the policy handling them.
    private var driftMessage: String {
        let open = status.drift.unresolved
        guard !open.isEmpty else { return "" }
        let shown = open.prefix(3).map(\.record.summary).joined(separator: "; ")
        return "\(open.count) unresolved deviation(s) from what the steps applied: \(shown)\(open.count > 3 ? "; ..." : "")"
            + " (drift policy \(spec.drift.policy.rawValue)\(spec.drift.haltOnDrift ? ", haltOnDrift" : ""))"
    }
}
