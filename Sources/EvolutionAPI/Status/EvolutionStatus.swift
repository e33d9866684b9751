/// `status` of an Evolution: the engine's memory between decisions, and
/// what users and tools (kubectl wait, Flux, Argo CD) read.
///
/// Only the controller writes it, through the status subresource. The engine
/// reads it back on every decision, so everything it needs to continue after
/// a restart (which step started where and when, since when checks hold,
/// which acknowledgments and retries it consumed) lives here.
public struct EvolutionStatus: Sendable, Hashable {
    public var observedGeneration: Int64?
    public var phase: EvolutionPhase
    public var conditions: [StatusCondition]
    /// Steps in progress or waiting, comma-separated (printer column "Current").
    public var currentSteps: String
    /// Converged steps over all steps, e.g. `2/4` (printer column "Converged").
    public var progress: String
    /// Unresolved deviations (printer column "Drifted").
    public var drifted: Int
    /// One line saying what the evolution is doing or waiting for.
    public var message: String
    /// Forward steps in spec order.
    public var steps: [StepState]
    /// Why progression stopped, when it did.
    public var halt: HaltRecord?
    public var compensation: CompensationState?
    /// The last `retry.causeway.dev/step` request the engine honoured.
    public var lastRetryToken: String?
    /// Written by the controller from the ledger; the engine carries it over.
    public var ledger: LedgerSummary?

    public init(observedGeneration: Int64? = nil, phase: EvolutionPhase = .pending, conditions: [StatusCondition] = [],
                currentSteps: String = "", progress: String = "", drifted: Int = 0, message: String = "",
                steps: [StepState] = [], halt: HaltRecord? = nil, compensation: CompensationState? = nil,
                lastRetryToken: String? = nil, ledger: LedgerSummary? = nil) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.conditions = conditions
        self.currentSteps = currentSteps
        self.progress = progress
        self.drifted = drifted
        self.message = message
        self.steps = steps
        self.halt = halt
        self.compensation = compensation
        self.lastRetryToken = lastRetryToken
        self.ledger = ledger
    }

    public func condition(_ type: String) -> StatusCondition? { conditions.first { $0.type == type } }
    public func step(_ name: String) -> StepState? { steps.first { $0.name == name } }
}

/// The evolution as a whole. `Invalid` and `Paused` extend DESIGN §1's list:
/// neither is a failure of the change, and calling them Failed or Pending
/// would send the reader looking in the wrong place.
public enum EvolutionPhase: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case progressing = "Progressing"
    case paused = "Paused"
    case converged = "Converged"
    case halted = "Halted"
    case compensating = "Compensating"
    case failed = "Failed"
    case invalid = "Invalid"
}

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
    public var message: String

    public init(name: String, phase: TargetPhase = .pending, attempts: Int = 0, startedAt: Timestamp? = nil,
                appliedAt: Timestamp? = nil, passingSince: Timestamp? = nil, checkpoints: Int = 0,
                convergedAt: Timestamp? = nil, retryAt: Timestamp? = nil, message: String = "") {
        self.name = name
        self.phase = phase
        self.attempts = attempts
        self.startedAt = startedAt
        self.appliedAt = appliedAt
        self.passingSince = passingSince
        self.checkpoints = checkpoints
        self.convergedAt = convergedAt
        self.retryAt = retryAt
        self.message = message
    }
}

/// The failure that stopped progression: the first one, in plan order.
public struct HaltRecord: Sendable, Hashable {
    public var step: String
    public var target: String
    public var reason: String
    public var message: String
    public var at: Timestamp

    public init(step: String, target: String, reason: String, message: String, at: Timestamp) {
        self.step = step
        self.target = target
        self.reason = reason
        self.message = message
        self.at = at
    }
}

/// The compensation sequence started after a failure.
public struct CompensationState: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        case progressing = "Progressing"
        case converged = "Converged"
        case failed = "Failed"
    }

    public var phase: Phase
    /// The forward step whose failure started it.
    public var failedStep: String
    /// Where steps without declared targets run: the failed step's started targets.
    public var scope: [String]
    /// The generation whose failure it compensates.
    public var generation: Int64
    public var steps: [StepState]

    public init(phase: Phase, failedStep: String, scope: [String], generation: Int64, steps: [StepState]) {
        self.phase = phase
        self.failedStep = failedStep
        self.scope = scope
        self.generation = generation
        self.steps = steps
    }
}

/// Where the ledger is and how far it got (written by the controller).
public struct LedgerSummary: Sendable, Hashable {
    public var backend: String
    public var entries: Int64
    public var headHash: String

    public init(backend: String, entries: Int64, headHash: String) {
        self.backend = backend
        self.entries = entries
        self.headHash = headHash
    }
}
