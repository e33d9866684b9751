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

    /// The declared sequence as the ledger's `Declared` entry records it.
    public var declaredSequence: JSON {
        .array(steps.map { step in
            [
                "step": .string(step.name), "after": .array(step.after.map { .string($0) }),
                "sync": .string(step.sync.rawValue), "targets": .array(step.targets.map { .string($0) }),
                "contentHash": .string(step.contentHash),
            ]
        })
    }

    /// The `detail` of the ledger's Declared entry, in the shape the Ledger's
    /// `DeclaredSequence` reads: steps in list order with targets and sync,
    /// every DAG edge, and the plan hash (steps also carry `after` and `contentHash`).
    public var declaredDetail: JSON {
        var edges: [JSON] = []
        for step in steps { for predecessor in step.after { edges.append(["from": .string(predecessor), "to": .string(step.name)]) } }
        let declared: [JSON] = steps.map { step in
            ["name": .string(step.name), "targets": .array(step.targets.map { .string($0) }), "sync": .string(step.sync.rawValue),
             "after": .array(step.after.map { .string($0) }), "contentHash": .string(step.contentHash)]
        }
        return ["steps": .array(declared), "edges": .array(edges), "planHash": .string(planHash)]
    }

    /// Hash of the whole declared plan (sequence, wiring and content).
    public var planHash: String {
        ContentHash.of(["steps": declaredSequence, "onFailure": .string(onFailure.action.rawValue),
                        "compensation": .array(onFailure.compensation.map { .string($0.contentHash) })])
    }
}
