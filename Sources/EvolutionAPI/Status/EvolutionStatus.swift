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
    /// Why this generation's plan may not start, when the API server or the controller's policy refused it.
    public var refusal: RefusalRecord?
    public var compensation: CompensationState?
    /// The last `retry.causeway.dev/step` request the engine honoured.
    public var lastRetryToken: String?
    /// Written by the controller from the ledger; the engine carries it over.
    public var ledger: LedgerSummary?
    /// What the steps own on the targets, and departures from it.
    public var drift: DriftStatus

    public init(observedGeneration: Int64? = nil, phase: EvolutionPhase = .pending, conditions: [StatusCondition] = [],
                currentSteps: String = "", progress: String = "", drifted: Int = 0, message: String = "",
                steps: [StepState] = [], halt: HaltRecord? = nil, refusal: RefusalRecord? = nil, compensation: CompensationState? = nil,
                lastRetryToken: String? = nil, ledger: LedgerSummary? = nil, drift: DriftStatus = DriftStatus()) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.conditions = conditions
        self.currentSteps = currentSteps
        self.progress = progress
        self.drifted = drifted
        self.message = message
        self.steps = steps
        self.halt = halt
        self.refusal = refusal
        self.compensation = compensation
        self.lastRetryToken = lastRetryToken
        self.ledger = ledger
        self.drift = drift
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

/// Where the ledger is and how far it got: the anchor of its hash chain, written
/// by the controller with every append. Status is writable by the controller's
/// account only, so a tenant who can edit the ledger's ConfigMaps cannot move
/// the anchor; `signature` (Ed25519 by the controller's key `keyID`) also shows
/// whether the anchor itself is the controller's.
public struct LedgerSummary: Sendable, Hashable {
    /// `configmap` or `file`.
    public var backend: String
    public var entries: Int64
    public var headHash: String
    /// The ConfigMap (or file) holding the newest entries.
    public var segment: String?
    public var keyID: String?
    /// Base64 of the signature over the head (see the Ledger module's `LedgerCheckpoint`).
    public var signature: String?

    public init(backend: String, entries: Int64, headHash: String, segment: String? = nil, keyID: String? = nil, signature: String? = nil) {
        self.backend = backend
        self.entries = entries
        self.headHash = headHash
        self.segment = segment
        self.keyID = keyID
        self.signature = signature
    }
}
