/// What a ledger entry records: the one vocabulary of the engine, which writes
/// entries, and of the ledger's readers (queries, rendering, audit).
///
/// Ledgers outlive the software that wrote them, so an event name this build
/// does not know (written by a newer controller) is kept as `.other(name)`:
/// the entry still decodes, verifies and prints. Always build events from text
/// with `init(rawValue:)`, which maps known names to their cases, so
/// `.other("Declared")` never arises from decoding.
public enum LedgerEvent: Sendable, Hashable, CustomStringConvertible {
    /// The declared sequence: steps, edges, targets, sync modes and its hash (see `DeclaredSequence`).
    case declared
    /// The spec of a generation is invalid: nothing of it starts (`detail.issues`).
    case invalid
    /// A step started on a target.
    case stepStarted
    /// Objects were applied to a target (see `AppliedObject`).
    case applied
    /// An apply was refused (`detail.reason`, `message`, `retryable`); a retryable one is tried again.
    case applyFailed
    /// A convergence check was observed (progress towards convergence).
    case checkpointObserved
    /// A step converged on one target (`target` set) or overall (`target` nil).
    case stepConverged
    /// Someone acknowledged a step that required it.
    case acknowledged
    /// Someone else changed or deleted an object Causeway owns.
    case deviation
    /// A deviation was reverted by re-applying our intent.
    case reverted
    /// A deviation was adopted as the new baseline.
    case adopted
    /// Another writer keeps changing back what Causeway reverts (recorded once per episode).
    case driftContested
    case stepFailed
    case halted
    case resumed
    case compensationStarted
    /// The compensation sequence converged.
    case compensationConverged
    /// A compensation step failed (`step`, `target`).
    case compensationFailed
    /// The spec changed mid-flight (a new generation); a new `declared` follows.
    case superseded
    case completed
    /// An event this build does not know.
    case other(String)

    /// Every event this build knows, in lifecycle order.
    public static let known: [LedgerEvent] = [
        .declared, .invalid, .stepStarted, .applied, .applyFailed, .checkpointObserved, .stepConverged, .acknowledged,
        .deviation, .reverted, .adopted, .driftContested, .stepFailed, .halted, .resumed, .compensationStarted, .compensationConverged,
        .compensationFailed, .superseded, .completed,
    ]

    public init(rawValue: String) {
        switch rawValue {
        case "Declared": self = .declared
        case "Invalid": self = .invalid
        case "StepStarted": self = .stepStarted
        case "Applied": self = .applied
        case "ApplyFailed": self = .applyFailed
        case "CheckpointObserved": self = .checkpointObserved
        case "StepConverged": self = .stepConverged
        case "Acknowledged": self = .acknowledged
        case "Deviation": self = .deviation
        case "Reverted": self = .reverted
        case "Adopted": self = .adopted
        case "DriftContested": self = .driftContested
        case "StepFailed": self = .stepFailed
        case "Halted": self = .halted
        case "Resumed": self = .resumed
        case "CompensationStarted": self = .compensationStarted
        case "CompensationConverged": self = .compensationConverged
        case "CompensationFailed": self = .compensationFailed
        case "Superseded": self = .superseded
        case "Completed": self = .completed
        default: self = .other(rawValue)
        }
    }

    /// The name written in the ledger, e.g. `StepStarted`.
    public var rawValue: String {
        switch self {
        case .declared: return "Declared"
        case .invalid: return "Invalid"
        case .stepStarted: return "StepStarted"
        case .applied: return "Applied"
        case .applyFailed: return "ApplyFailed"
        case .checkpointObserved: return "CheckpointObserved"
        case .stepConverged: return "StepConverged"
        case .acknowledged: return "Acknowledged"
        case .deviation: return "Deviation"
        case .reverted: return "Reverted"
        case .adopted: return "Adopted"
        case .driftContested: return "DriftContested"
        case .stepFailed: return "StepFailed"
        case .halted: return "Halted"
        case .resumed: return "Resumed"
        case .compensationStarted: return "CompensationStarted"
        case .compensationConverged: return "CompensationConverged"
        case .compensationFailed: return "CompensationFailed"
        case .superseded: return "Superseded"
        case .completed: return "Completed"
        case .other(let name): return name
        }
    }

    public var description: String { rawValue }

    /// Whether this event moves the evolution's state (as opposed to recording an observation):
    /// the events whose actor answers "who initiated this transition".
    public var isTransition: Bool {
        switch self {
        case .applied, .applyFailed, .checkpointObserved, .deviation, .driftContested, .other: return false
        default: return true
        }
    }
}
