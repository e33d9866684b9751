import EvolutionAPI

extension EvolutionEngine {
    /// The status to write when a reconcile failed outside the engine's decision (the
    /// ledger could not be written, the API server refused the status): the last status,
    /// with `Ready=False` for `reason`, the message saying what failed and what to do, and
    /// `Stalled=True` when retrying cannot help. Conditions keep their transition times
    /// unless their status changes. Pure, like `decide`.
    public static func reportingFailure(_ status: EvolutionStatus, generation: Int64, reason: String, message: String,
                                        stalled: Bool, now: Timestamp) -> EvolutionStatus {
        var next = status
        next.message = message
        if stalled { next.observedGeneration = generation }
        func set(_ type: String, _ value: Bool) {
            let old = status.condition(type)
            var condition = StatusCondition(type: type, status: value, reason: reason, message: message, observedGeneration: generation)
            condition.lastTransitionTime = old?.status == condition.status ? (old?.lastTransitionTime ?? now) : now
            if let i = next.conditions.firstIndex(where: { $0.type == type }) { next.conditions[i] = condition } else { next.conditions.append(condition) }
        }
        set(StatusCondition.ready, false)
        if stalled { set(StatusCondition.stalled, true) }
        return next
    }

    /// The smallest status that still says why: for when the API server refused the full one.
    public static func minimalStatus(after status: EvolutionStatus, generation: Int64, reason: String, message: String,
                                     now: Timestamp) -> EvolutionStatus {
        let bare = EvolutionStatus(observedGeneration: status.observedGeneration, phase: status.phase, conditions: status.conditions,
                                   ledger: status.ledger)
        return reportingFailure(bare, generation: generation, reason: reason, message: message, stalled: true, now: now)
    }
}
