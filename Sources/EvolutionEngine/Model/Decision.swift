import EvolutionAPI
import KubeJSON

/// What the engine decided: actions to perform in order, the status to
/// write, and when to decide again if nothing else happens first.
public struct Decision: Sendable {
    /// Perform in order. A ledger record precedes the apply it announces.
    public var actions: [Action]
    /// The next status; patch it through the status subresource when it
    /// differs from the current one.
    public var status: EvolutionStatus
    /// The earliest time at which time alone can change the decision
    /// (a stability window ends, a timeout elapses, a retry is due).
    public var requeueAt: Timestamp?

    public init(actions: [Action], status: EvolutionStatus, requeueAt: Timestamp?) {
        self.actions = actions
        self.status = status
        self.requeueAt = requeueAt
    }

    /// `requeueAt - now`, never negative.
    public func requeueAfter(now: Timestamp) -> GoDuration? {
        requeueAt.map { GoDuration(nanoseconds: max(0, ($0 - now).nanoseconds)) }
    }

    public var applies: [ApplyAction] { actions.compactMap { if case .apply(let a) = $0 { return a } else { return nil } } }
    public var ledgerRecords: [LedgerRecord] { actions.compactMap { if case .recordLedger(let r) = $0 { return r } else { return nil } } }
    public var events: [EventRecord] { actions.compactMap { if case .emitEvent(let e) = $0 { return e } else { return nil } } }
}

/// One thing for the controller to do. Typed, and interpreted in one place.
public enum Action: Sendable, Hashable {
    /// Server-side apply these objects to this target (field manager `causeway`),
    /// then report the outcome as an `ApplyResult`.
    case apply(ApplyAction)
    /// Append to the evolution's ledger (idempotent by `LedgerRecord.id`).
    case recordLedger(LedgerRecord)
    /// Emit a Kubernetes Event on the Evolution.
    case emitEvent(EventRecord)
}

public struct ApplyAction: Sendable, Hashable {
    public var step: String
    public var target: String
    public var contentHash: String
    /// The manifests as written in the spec, in order.
    public var objects: [JSON]
    /// 1 for the first attempt.
    public var attempt: Int
    /// True for a compensation step.
    public var compensation: Bool
    /// True when it re-applies what a step owns after someone else changed it (drift policy Revert).
    public var revert: Bool
    /// `spec.drift.freeze` when decided: what the objects' governance mark says.
    public var freeze: Bool

    public init(step: String, target: String, contentHash: String, objects: [JSON], attempt: Int, compensation: Bool, revert: Bool = false,
                freeze: Bool = false) {
        self.freeze = freeze
        self.step = step
        self.target = target
        self.contentHash = contentHash
        self.objects = objects
        self.attempt = attempt
        self.compensation = compensation
        self.revert = revert
    }
}

/// One ledger entry as the engine knows it; the ledger adds sequence,
/// evolution identity, time and the hash chain.
public struct LedgerRecord: Sendable, Hashable {
    /// Deterministic idempotency key: the same transition replayed after a
    /// crash yields the same id, so the ledger can absorb the duplicate.
    public var id: String
    public var event: LedgerEvent
    public var generation: Int64
    public var step: String?
    /// `nil` for a record about the whole step or evolution.
    public var target: String?
    /// Who acted when it was not the controller (acknowledger, retry requester).
    public var actor: String?
    public var detail: JSON

    public init(id: String, event: LedgerEvent, generation: Int64, step: String?, target: String?, actor: String?, detail: JSON) {
        self.id = id
        self.event = event
        self.generation = generation
        self.step = step
        self.target = target
        self.actor = actor
        self.detail = detail
    }
}

/// A Kubernetes Event on the Evolution.
public struct EventRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public var type: Kind
    public var reason: String
    public var message: String

    public init(type: Kind, reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}
