import KubeJSON

/// A `causeway.dev/v1alpha1` `Evolution` as read from the API server: the
/// identity the engine and ledger need, and the defaulted, validated spec.
public struct Evolution: Sendable, Hashable {
    public static let apiVersion = "causeway.dev/v1alpha1"
    public static let kind = "Evolution"

    public var name: String
    public var namespace: String
    public var uid: String
    public var generation: Int64
    public var annotations: [String: String]
    public var spec: EvolutionSpec

    public init(name: String, namespace: String = "default", uid: String = "", generation: Int64 = 1,
                annotations: [String: String] = [:], spec: EvolutionSpec) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.generation = generation
        self.annotations = annotations
        self.spec = spec
    }

    /// Decodes, defaults and validates. Throws every problem found, each with
    /// its field path and a way to fix it.
    public init(json: JSON) throws(SpecValidationError) {
        let metadata = json["metadata"]
        self.name = metadata?["name"]?.stringValue ?? ""
        self.namespace = metadata?["namespace"]?.stringValue ?? "default"
        self.uid = metadata?["uid"]?.stringValue ?? ""
        self.generation = metadata?["generation"]?.intValue ?? 1
        var annotations: [String: String] = [:]
        for (k, v) in metadata?["annotations"]?.objectValue ?? [:] { annotations[k] = v.stringValue }
        self.annotations = annotations
        self.spec = try EvolutionSpec(json: json["spec"])
    }
}

extension EvolutionSpec {
    /// Decodes `spec`, applies defaults and validates (see `SpecValidator`).
    public init(json: JSON?) throws(SpecValidationError) {
        var reader = FieldReader()
        let decoded = SpecDecoder.decode(json, reader: &reader)
        if json == nil || json == .null { throw SpecValidationError(reader.issues) }
        reader.issues += SpecValidator.validate(decoded.spec, declaredTargetsWereEmpty: decoded.emptyTargets)
        if !reader.issues.isEmpty { throw SpecValidationError(reader.issues) }
        self = decoded.spec
    }
}
