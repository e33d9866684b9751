public enum StepPhase: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case waitingForAcknowledgment = "WaitingForAcknowledgment"
    case progressing = "Progressing"
    case converged = "Converged"
    case failed = "Failed"
}

public enum TargetPhase: String, Sendable, Hashable, CaseIterable {
    /// Not started: waiting for predecessors, acknowledgment, or a halt to clear.
    case pending = "Pending"
    /// The apply was requested; its outcome has not been reported yet.
    case applying = "Applying"
    /// Applied; checks are evaluated until they hold for `stableFor`.
    case converging = "Converging"
    case converged = "Converged"
    case failed = "Failed"
}

/// One step's state, with one entry per effective target.
public struct StepState: Sendable, Hashable {
    public var name: String
    /// `Step.contentHash` of the content this state belongs to.
    public var contentHash: String
    public var phase: StepPhase
    public var acknowledgedBy: String?
    public var acknowledgedAt: Timestamp?
    public var message: String
    public var targets: [TargetState]

    public init(name: String, contentHash: String, phase: StepPhase = .pending, acknowledgedBy: String? = nil,
                acknowledgedAt: Timestamp? = nil, message: String = "", targets: [TargetState]) {
        self.name = name
        self.contentHash = contentHash
        self.phase = phase
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.message = message
        self.targets = targets
    }

    public func target(_ name: String) -> TargetState? { targets.first { $0.name == name } }
}

/// One step on one target.
public struct TargetState: Sendable, Hashable {
    public var name: String
    public var phase: TargetPhase
    /// Apply attempts so far for this content (a retry or a retryable error counts).
    public var attempts: Int
    public var startedAt: Timestamp?
    public var appliedAt: Timestamp?
    /// Since when every check has held without interruption (for `stableFor`).
    public var passingSince: Timestamp?
    /// How many times the checks began to hold in this attempt; keys the
    /// CheckpointObserved ledger record so a replayed decision repeats its id.
    public var checkpoints: Int
    public var convergedAt: Timestamp?
    /// When a retryable apply error may be retried.
    public var retryAt: Timestamp?
    /// Why it failed, from a closed set (`FailureReason`), when `phase` is Failed.
    public var reason: String?
    public var message: String

    public init(name: String, phase: TargetPhase = .pending, attempts: Int = 0, startedAt: Timestamp? = nil,
                appliedAt: Timestamp? = nil, passingSince: Timestamp? = nil, checkpoints: Int = 0,
                convergedAt: Timestamp? = nil, retryAt: Timestamp? = nil, reason: String? = nil, message: String = "") {
        self.name = name
        self.phase = phase
        self.attempts = attempts
        self.startedAt = startedAt
        self.appliedAt = appliedAt
        self.passingSince = passingSince
        self.checkpoints = checkpoints
        self.convergedAt = convergedAt
        self.retryAt = retryAt
        self.reason = reason
        self.message = message
    }
}
