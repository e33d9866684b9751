import EvolutionAPI
import KubeJSON

/// One decision in the making: the input, the status being built, and the
/// actions collected so far, in the order they were decided.
struct Tick {
    let input: EngineInput
    let spec: EvolutionSpec
    var status: EvolutionStatus
    var actions: [Action] = []
    /// Times at which time alone changes something (for `requeueAt`).
    var wakeups: [Timestamp] = []

    var now: Timestamp { input.now }
    var generation: Int64 { input.generation }

    init(input: EngineInput, spec: EvolutionSpec) {
        self.input = input
        self.spec = spec
        self.status = input.status
    }

    /// Appends a ledger record whose id is derived only from what it records,
    /// so a decision replayed after a crash produces the same id.
    mutating func record(_ event: LedgerEvent, step: String? = nil, target: String? = nil, key: String = "",
                         actor: String? = nil, detail: JSON = [:]) {
        var id = "g\(generation)/\(event.rawValue)/\(step ?? "-")/\(target ?? "-")"
        if !key.isEmpty { id += "/\(key)" }
        actions.append(.recordLedger(LedgerRecord(id: id, event: event, generation: generation, step: step,
                                                  target: target, actor: actor, detail: detail)))
    }

    mutating func emit(_ type: EventRecord.Kind, _ reason: String, _ message: String) {
        actions.append(.emitEvent(EventRecord(type: type, reason: reason, message: message)))
    }

    mutating func wake(at time: Timestamp) {
        if time > now { wakeups.append(time) }
    }
}

/// Pure backoff for retryable apply errors: 1s, 2s, 4s ... capped at 5m.
enum ApplyBackoff {
    static func delay(afterAttempt attempt: Int) -> GoDuration {
        let exponent = min(max(attempt - 1, 0), 9)
        return min(GoDuration.seconds(1 << Int64(exponent)), GoDuration.minutes(5))
    }
}
