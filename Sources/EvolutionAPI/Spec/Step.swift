import KubeJSON

/// How a step's successors wait for it across targets.
public enum SyncMode: String, Sendable, Hashable, CaseIterable {
    /// A successor starts on any target only after this step converged on
    /// every one of its targets: the gateway policy must be absorbed in every
    /// region before the feature flag goes on anywhere.
    case lockstep = "Lockstep"
    /// A successor may start on target T as soon as this step converged on T
    /// (per-region pipelines). When T is not among this step's targets, the
    /// successor waits for all of them, as with Lockstep.
    case independent = "Independent"
}

/// One change of an evolution, after defaulting: every field has its
/// effective value, so the engine never re-derives defaults.
public struct Step: Sendable, Hashable {
    public var name: String
    /// Predecessors (names). Omitted in the spec: the previous step in the
    /// list, so a plain list is a strict sequence; `after: []`: none.
    public var after: [String]
    public var sync: SyncMode
    /// Effective targets, in the evolution's target order.
    public var targets: [String]
    /// Whether `targets` was written in the spec. A compensation step without
    /// targets runs only where the failed part had been applied.
    public var targetsDeclared: Bool
    /// The objects to server-side apply, as written.
    public var manifests: [JSON] { didSet { contentHash = ContentHash.of(content) } }
    /// Effective checks: `[.current(nil)]` when the spec declares none.
    public var checks: [ConvergenceCheck] { didSet { contentHash = ContentHash.of(content) } }
    /// How long all checks must hold continuously (default 0s).
    public var stableFor: GoDuration { didSet { contentHash = ContentHash.of(content) } }
    /// How long from start to convergence before the step fails (default 10m).
    public var timeout: GoDuration { didSet { contentHash = ContentHash.of(content) } }
    /// Hold the start until someone acknowledges (annotation `ack.causeway.dev/<step>`).
    public var acknowledgmentRequired: Bool { didSet { contentHash = ContentHash.of(content) } }

    public static let defaultTimeout = GoDuration.minutes(10)
    public static let defaultStableFor = GoDuration.zero

    public init(
        name: String, after: [String] = [], sync: SyncMode = .lockstep, targets: [String] = [Target.localName],
        targetsDeclared: Bool = false, manifests: [JSON] = [], checks: [ConvergenceCheck] = [.current(nil)],
        stableFor: GoDuration = Step.defaultStableFor, timeout: GoDuration = Step.defaultTimeout,
        acknowledgmentRequired: Bool = false
    ) {
        self.name = name
        self.after = after
        self.sync = sync
        self.targets = targets
        self.targetsDeclared = targetsDeclared
        self.manifests = manifests
        self.checks = checks
        self.stableFor = stableFor
        self.timeout = timeout
        self.acknowledgmentRequired = acknowledgmentRequired
        contentHash = ""
        contentHash = ContentHash.of(content)
    }

    /// The keys of the objects this step applies, in manifest order.
    public var appliedObjects: [ObjectKey] { manifests.compactMap(ObjectKey.init(manifest:)) }

    /// Every object the controller must watch on each of this step's targets:
    /// what it applies and what its checks read (deduplicated, in order).
    public var observedObjects: [ObjectKey] {
        var seen = Set<ObjectKey>()
        return (appliedObjects + checks.compactMap(\.object)).filter { seen.insert($0).inserted }
    }

    /// What forward correction compares: the effective content (objects,
    /// checks, timings, acknowledgment), not the wiring (`after`, `sync`,
    /// `targets`), so re-ordering or adding a region does not re-run a step
    /// whose content is the same.
    public var content: JSON {
        [
            "manifests": .array(manifests),
            "checks": .array(checks.map(\.json)),
            "stableFor": .string(stableFor.description),
            "timeout": .string(timeout.description),
            "acknowledge": .bool(acknowledgmentRequired),
        ]
    }

    /// `ContentHash.of(content)`: 16 hex digits of FNV-1a 64. Kept, not computed on each
    /// read: the engine compares it for every step on every decision.
    public private(set) var contentHash: String
}

extension Step {
    /// The manifest of the object `key` names, which may carry the namespace it landed in
    /// where the manifest left it to the Evolution's.
    public func manifest(for key: ObjectKey) -> JSON? {
        manifests.first { manifest in
            guard let declared = ObjectKey(manifest: manifest) else { return false }
            return declared == key || (declared.namespace == nil && ObjectKey(apiVersion: key.apiVersion, kind: key.kind, name: key.name) == declared)
        }
    }
}
