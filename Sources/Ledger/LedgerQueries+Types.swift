import KubeJSON

/// A point in the ledger: the entry's seq (which orders) and its time (which people read).
public struct LedgerStamp: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int
    public var at: LedgerTime

    public init(seq: Int, at: LedgerTime) {
        self.seq = seq
        self.at = at
    }

    init(_ entry: LedgerEntry) { self.init(seq: entry.seq, at: entry.at) }

    public var description: String { "\(at) (seq \(seq))" }
}

/// What an `Applied` entry says was applied (its objects: `AppliedObject`).
public struct AppliedChange: Sendable, Equatable {
    public typealias Object = AppliedObject

    public var stamp: LedgerStamp
    public var generation: Int
    public var step: String?
    public var target: String?
    public var actor: String
    /// The step's content hash, when the entry records it.
    public var stepContentHash: String?
    public var objects: [AppliedObject]
}

/// A state-changing entry and who initiated it.
public struct Transition: Sendable, Equatable {
    public var stamp: LedgerStamp
    public var generation: Int
    public var event: LedgerEvent
    public var step: String?
    public var target: String?
    public var actor: String
}

/// A step on a target, as it actually ran: from its `StepStarted` and `StepConverged` entries.
///
/// `StepStarted` entries carry the step and target in `step`/`target`; their `detail`
/// is free-form (e.g. `{"attempt": 1}`). `StepConverged` entries carry the step and
/// the target it converged on, or no target for the step's overall convergence; their
/// `detail` is free-form (e.g. the checks that held and for how long).
public struct StepActivity: Sendable, Equatable {
    public var step: String
    /// `nil`: the step as a whole (a step declared with no targets).
    public var target: String?
    /// The first start.
    public var started: LedgerStamp?
    public var startedBy: String?
    /// The first convergence after the first start (or at all, if it never started).
    public var converged: LedgerStamp?
}

/// One Declared entry and what happened under it: declared order beside actual order,
/// and whether each edge respected convergence before progression.
public struct DeclaredSection: Sendable, Equatable {
    public var declared: DeclaredSequence
    public var declaredAt: LedgerStamp
    public var generation: Int
    /// Step/target pairs in the order they started (never-started ones last, in declared order).
    public var actual: [StepActivity]
    /// One audit per declared edge, in declared order.
    public var edges: [EdgeAudit]
}

/// Was the predecessor's convergence confirmed before the successor started?
public struct EdgeAudit: Sendable, Equatable, CustomStringConvertible {
    public enum Verdict: String, Sendable, Equatable {
        /// Yes: every start of the successor was preceded by the required convergence.
        case confirmed
        /// No: at least one start of the successor came before the required convergence.
        case violated
        /// The successor has not started: nothing to prove yet.
        case notStarted
    }

    /// One start of the successor and the convergences it needed.
    public struct Check: Sendable, Equatable {
        /// Where the successor started (`nil`: a start recorded without a target).
        public var successorTarget: String?
        public var successorStarted: LedgerStamp
        public var required: [Requirement]
        public var confirmed: Bool { required.allSatisfy(\.inTime) }
    }

    /// The predecessor's convergence on one target.
    public struct Requirement: Sendable, Equatable {
        /// `nil`: the predecessor's overall convergence.
        public var target: String?
        /// The convergence that proves it (the last before the successor started),
        /// or else the first after, or `nil` if none is recorded.
        public var converged: LedgerStamp?
        /// Whether `converged` comes before the successor's start in the ledger.
        public var inTime: Bool
    }

    public var edge: DeclaredSequence.Edge
    public var sync: DeclaredSequence.SyncMode
    public var verdict: Verdict
    public var checks: [Check]

    /// Yes or no; `nil` while the successor has not started.
    public var confirmed: Bool? {
        switch verdict {
        case .confirmed: return true
        case .violated: return false
        case .notStarted: return nil
        }
    }

    public var description: String {
        var lines = ["\(edge) (\(sync.rawValue)): \(verdict == .confirmed ? "yes" : verdict == .violated ? "no" : "not started")"]
        for check in checks {
            lines.append("  \(edge.to) started on \(check.successorTarget ?? "(all)") at \(check.successorStarted)")
            for r in check.required {
                let when = r.converged.map { "\($0)" } ?? "never"
                lines.append("    \(edge.from) converged on \(r.target ?? "(all)"): \(when)\(r.inTime ? "" : " — too late")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
