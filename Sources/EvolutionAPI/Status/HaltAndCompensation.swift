/// Why a step failed on a target, or why a plan was refused: the closed set of
/// reasons status conditions, Events and metrics use.
public enum FailureReason: String, Sendable, Hashable, CaseIterable {
    /// The API server refused a request as the Evolution's account (403).
    case forbidden = "Forbidden"
    /// `spec.serviceAccountName` (or the default account) does not exist.
    case serviceAccountNotFound = "ServiceAccountNotFound"
    /// A kubeconfig Secret in another namespace, while cross-namespace references are blocked.
    case crossNamespaceRef = "CrossNamespaceRef"
    /// The target cluster could not be reached, or its kubeconfig Secret is missing or unusable.
    case targetUnreachable = "TargetUnreachable"
    /// The API server refused an object (invalid, conflicting, unknown kind...).
    case applyFailed = "ApplyFailed"
    /// A convergence check reported failure (kstatus Failed).
    case checkFailed = "CheckFailed"
    /// The step did not converge within `converge.timeout`.
    case timeout = "Timeout"
    /// `spec.drift.freeze` asks for what only Causeway's admission webhook enforces, and the controller runs without it.
    case freezeUnavailable = "FreezeUnavailable"

    /// The reason for an apply refused with an API Status reason (or a client-side one).
    public init(applyReason: String) {
        switch applyReason {
        case "Forbidden": self = .forbidden
        case "TargetUnreachable": self = .targetUnreachable
        default: self = FailureReason(rawValue: applyReason) ?? .applyFailed
        }
    }
}

/// Why the plan of a generation was refused before anything of it started
/// (the API server denied the account a step's object, the account is
/// missing, or a target reference is not allowed). Rechecked with backoff
/// and on every spec change; recomputed, never remembered.
public struct RefusalRecord: Sendable, Hashable {
    /// A `FailureReason` raw value.
    public var reason: String
    public var message: String
    /// The step and target whose object was refused, when the refusal is about one.
    public var step: String?
    public var target: String?

    public init(reason: FailureReason, message: String, step: String? = nil, target: String? = nil) {
        self.reason = reason.rawValue
        self.message = message
        self.step = step
        self.target = target
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
