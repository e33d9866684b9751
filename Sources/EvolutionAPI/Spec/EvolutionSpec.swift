import KubeJSON

/// `spec` of an Evolution, defaulted and validated.
public struct EvolutionSpec: Sendable, Hashable {
    /// Never empty: `[local]` when the spec names no targets.
    public var targets: [Target]
    /// Never empty, names unique, `after` forms a DAG.
    public var steps: [Step]
    public var onFailure: FailurePolicy
    public var drift: DriftPolicy
    public var paused: Bool
    /// The ServiceAccount, in the Evolution's namespace, whose rights every step
    /// acts with; nil means the controller's `--default-service-account`.
    public var serviceAccountName: String?

    public init(targets: [Target] = [Target(name: Target.localName)], steps: [Step],
                onFailure: FailurePolicy = FailurePolicy(), drift: DriftPolicy = DriftPolicy(), paused: Bool = false,
                serviceAccountName: String? = nil) {
        self.targets = targets
        self.steps = steps
        self.onFailure = onFailure
        self.drift = drift
        self.paused = paused
        self.serviceAccountName = serviceAccountName
    }

    public func step(named name: String) -> Step? { steps.first { $0.name == name } }

    /// Hash of the whole declared plan (sequence, wiring and content).
    public var planHash: String {
        let sequence: JSON = .array(steps.map { step in
            [
                "step": .string(step.name), "after": .array(step.after.map { .string($0) }),
                "sync": .string(step.sync.rawValue), "targets": .array(step.targets.map { .string($0) }),
                "contentHash": .string(step.contentHash),
            ]
        })
        return ContentHash.of(["steps": sequence, "onFailure": .string(onFailure.action.rawValue),
                               "compensation": .array(onFailure.compensation.map { .string($0.contentHash) })])
    }
}
