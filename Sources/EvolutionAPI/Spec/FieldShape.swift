/// The shape of the `spec` fields the decoder understands, declared once.
///
/// The decoder uses it to report unknown fields (a typo such as `aply:` would
/// otherwise be silently ignored), and a test compares it with the CRD's
/// OpenAPI schema so the two can never drift apart.
public indirect enum FieldShape: Sendable, Equatable {
    case string
    /// A string restricted to these values (an `enum` in the schema).
    case enumeration([String])
    /// A string in Go duration syntax (a `pattern` in the schema).
    case duration
    case integer
    case boolean
    case array(FieldShape)
    case object([String: FieldShape])
    /// A whole Kubernetes object, kept as written (`x-kubernetes-embedded-resource`).
    case embeddedObject
    /// Any JSON value (`x-kubernetes-preserve-unknown-fields`, no type).
    case anyValue

    public var fields: [String: FieldShape]? {
        if case .object(let f) = self { return f }
        return nil
    }
}

extension FieldShape {
    static let objectReference: FieldShape = .object([
        "apiVersion": .string, "kind": .string, "name": .string, "namespace": .string,
    ])

    static let check: FieldShape = .object([
        "current": .object(["object": objectReference]),
        "condition": .object([
            "object": objectReference, "type": .string, "status": .enumeration(ConditionCheck.statuses),
        ]),
        "jsonPath": .object([
            "object": objectReference, "path": .string,
            "equals": .anyValue, "in": .array(.anyValue), "exists": .boolean,
            "matches": .string, "equalsField": .string,
        ]),
    ])

    static let step: FieldShape = .object([
        "name": .string,
        "after": .array(.string),
        "sync": .enumeration(SyncMode.allCases.map(\.rawValue)),
        "targets": .array(.string),
        "apply": .object(["manifests": .array(.embeddedObject)]),
        "converge": .object(["checks": .array(check), "stableFor": .duration, "timeout": .duration]),
        "acknowledge": .object(["required": .boolean]),
    ])

    /// `spec` of `causeway.dev/v1alpha1` `Evolution`.
    public static let evolutionSpec: FieldShape = .object([
        "targets": .array(.object([
            "name": .string,
            "kubeconfigSecretRef": .object(["name": .string, "namespace": .string, "key": .string]),
            "impersonate": .boolean,
        ])),
        "serviceAccountName": .string,
        "steps": .array(step),
        "onFailure": .object([
            "action": .enumeration(FailureAction.allCases.map(\.rawValue)),
            "compensation": .array(step),
        ]),
        "drift": .object([
            "policy": .enumeration(DriftPolicy.Mode.allCases.map(\.rawValue)),
            "haltOnDrift": .boolean,
            "freeze": .boolean,
        ]),
        "paused": .boolean,
    ])
}
