import EvolutionAPI
import KubeJSON

/// Everything one decision depends on. The engine reads nothing else: no
/// clock, no cluster, no randomness.
public struct EngineInput: Sendable {
    /// `metadata.generation` of the Evolution.
    public var generation: Int64
    /// The defaulted spec, or why it is invalid.
    public var spec: Result<EvolutionSpec, SpecValidationError>
    /// `status` as last written (empty for a new object).
    public var status: EvolutionStatus
    public var observations: Observations
    /// Acknowledgments the controller found (annotations `ack.causeway.dev/<step>`).
    public var acknowledgments: [Acknowledgment]
    /// A pending `retry.causeway.dev/step` request, if any.
    public var retry: RetryRequest?
    public var now: Timestamp

    public init(generation: Int64, spec: Result<EvolutionSpec, SpecValidationError>, status: EvolutionStatus = EvolutionStatus(),
                observations: Observations = Observations(), acknowledgments: [Acknowledgment] = [],
                retry: RetryRequest? = nil, now: Timestamp) {
        self.generation = generation
        self.spec = spec
        self.status = status
        self.observations = observations
        self.acknowledgments = acknowledgments
        self.retry = retry
        self.now = now
    }

    /// Reads generation, spec and status from the Evolution object as the API
    /// server returned it; an invalid spec becomes `.failure`.
    public init(object: JSON, observations: Observations = Observations(), acknowledgments: [Acknowledgment] = [],
                retry: RetryRequest? = nil, now: Timestamp) {
        let spec: Result<EvolutionSpec, SpecValidationError>
        do { spec = .success(try Evolution(json: object).spec) } catch { spec = .failure(error) }
        self.init(generation: object[path: "metadata", "generation"]?.intValue ?? 1, spec: spec,
                  status: EvolutionStatus(json: object["status"]), observations: observations,
                  acknowledgments: acknowledgments, retry: retry, now: now)
    }
}

/// What the controller saw on the targets since the last decision.
public struct Observations: Sendable {
    /// Target name → object key → the live object. A key that is missing means
    /// the object does not exist (or has not been seen yet): never converged.
    /// Keys are those of `Step.observedObjects` (namespace as written).
    public var objects: [String: [ObjectKey: JSON]]
    /// Outcomes of the `apply` actions of the previous decision. Every apply
    /// the controller performed must be reported in the next call; an apply
    /// whose outcome is not reported is asked for again (it is idempotent).
    public var applyResults: [ApplyResult]
    /// Target name → object key → the resourceVersion up to which the watch had seen no such
    /// object: it does not exist (unlike a key missing from `objects`, which may be unseen yet).
    public var absent: [String: [ObjectKey: String]]
    /// Why this generation's plan may not start, as the controller found when it
    /// put the plan to the API server (as the Evolution's account); nil when admitted.
    public var refusal: RefusalRecord?
    /// Target name → namespace → its admission journal, read after the objects that departed
    /// (so it holds every write that made them so); only where something departed.
    public var journals: [String: [String: JournalRead]]
    /// The controller reads admission journals (Causeway's webhook is installed): a departure
    /// whose journal was not read yet waits for it, as for an entry on its way.
    public var journalsEnabled: Bool

    public init(objects: [String: [ObjectKey: JSON]] = [:], applyResults: [ApplyResult] = [], absent: [String: [ObjectKey: String]] = [:],
                refusal: RefusalRecord? = nil, journals: [String: [String: JournalRead]] = [:], journalsEnabled: Bool = false) {
        self.journals = journals
        self.journalsEnabled = journalsEnabled
        self.objects = objects
        self.applyResults = applyResults
        self.absent = absent
        self.refusal = refusal
    }

    /// The admission journal the object's writes are recorded in, when it was read.
    public func journal(for object: ObjectKey, on target: String) -> JournalRead? {
        journals[target]?[AdmissionJournal.namespace(of: object)]
    }

    /// The live object, matched exactly, or else by group/kind/namespace/name
    /// (a check may name another API version of the object).
    public func object(_ key: ObjectKey, on target: String) -> JSON? {
        guard let live = objects[target] else { return nil }
        if let exact = live[key] { return exact }
        // Smallest key first: dictionary order differs between processes, decisions must not.
        return live.filter { $0.key.sameObject(as: key) }.min { $0.key < $1.key }?.value
    }
}

/// The outcome of one `apply` action.
public struct ApplyResult: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Every object was accepted: each as sent (its content hash and fields) and the
        /// resourceVersion the server answered, for the ledger.
        case applied(objects: [AppliedObject])
        /// At least one object was refused. `retryable` for conflicts, 429,
        /// 5xx and unreachable clusters; not for 4xx such as Forbidden or Invalid.
        case failed(reason: String, message: String, retryable: Bool)
    }

    public var step: String
    public var target: String
    /// The `contentHash` of the apply action, so a late result for superseded
    /// content is not mistaken for the current one.
    public var contentHash: String
    public var outcome: Outcome
    /// The apply was a drift revert (`ApplyAction.revert`).
    public var revert: Bool
    /// What Causeway owns on each object it applied, as the server answered (`DriftInspection.baseline`).
    public var baselines: [OwnedObject]

    public init(step: String, target: String, contentHash: String, outcome: Outcome, revert: Bool = false, baselines: [OwnedObject] = []) {
        self.step = step
        self.target = target
        self.contentHash = contentHash
        self.outcome = outcome
        self.revert = revert
        self.baselines = baselines
    }
}

/// Someone acknowledged a step (`kubectl causeway ack EVO STEP` sets the
/// annotation `ack.causeway.dev/<step>`; `by` is the managedFields manager or
/// user who set it).
public struct Acknowledgment: Sendable, Hashable {
    public static func annotation(for step: String) -> String { AdmissionStamp.ackAnnotationPrefix + step }

    public var step: String
    public var by: String
    public var at: Timestamp

    public init(step: String, by: String, at: Timestamp) {
        self.step = step
        self.by = by
        self.at = at
    }
}

/// A request to retry a failed step (annotation `retry.causeway.dev/step: <name>`).
///
/// `token` must differ per request (e.g. the annotation's managedFields
/// timestamp): the engine honours each token once, because the annotation
/// stays on the object after it was acted upon.
public struct RetryRequest: Sendable, Hashable {
    public static let annotation = AdmissionStamp.retryAnnotation

    public var step: String
    public var token: String
    public var requestedBy: String

    public init(step: String, token: String, requestedBy: String) {
        self.step = step
        self.token = token
        self.requestedBy = requestedBy
    }
}

/// An admission journal as the controller read it.
public enum JournalRead: Sendable, Hashable {
    /// The entries whose MAC verifies, oldest first.
    case entries([JournalEntry])
    /// Why it could not be read (no webhook installed, forbidden, unreachable).
    case unavailable(String)
}
