import KubeJSON

/// One object an `Applied` entry records: which object, the hash of exactly what was
/// sent, and the resourceVersion the server answered with.
///
/// The `detail` of an `Applied` entry (its `step` and `target` say where):
/// ```json
/// {"contentHash": "<16 hex: the step's content hash>",
///  "objects": [{"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "api",
///               "contentHash": "<64 hex: SHA-256 of the canonical JSON sent>",
///               "fields": ["spec.replicas", "spec.template.spec.containers"],
///               "resourceVersion": "12345"}]}
/// ```
/// `namespace` is absent for cluster-scoped objects; `fields` are the paths the object
/// sets (what the step owns there), `resourceVersion` is absent if the answer was lost.
public struct AppliedObject: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var contentHash: String
    public var fields: [String]
    public var resourceVersion: String?

    public init(apiVersion: String, kind: String, namespace: String?, name: String, contentHash: String,
                fields: [String] = [], resourceVersion: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.contentHash = contentHash
        self.fields = fields
        self.resourceVersion = resourceVersion
    }

    /// `apps/v1 Deployment shop/api`.
    public var reference: String { "\(apiVersion) \(kind) " + (namespace.map { "\($0)/" } ?? "") + name }

    /// The member of an `Applied` entry's `objects` array.
    public var json: JSON {
        var o: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        if let namespace { o["namespace"] = .string(namespace) }
        o["name"] = .string(name)
        o["contentHash"] = .string(contentHash)
        if !fields.isEmpty { o["fields"] = .array(fields.map(JSON.string)) }
        if let resourceVersion { o["resourceVersion"] = .string(resourceVersion) }
        return .object(o)
    }

    /// The `detail` of an `Applied` entry.
    public static func detail(stepContentHash: String, objects: [AppliedObject]) -> JSONObject {
        ["contentHash": .string(stepContentHash), "objects": .array(objects.map(\.json))]
    }

    /// The objects of an `Applied` entry's detail.
    public static func objects(inDetail detail: JSONObject) throws(LedgerQueryError) -> [AppliedObject] {
        func fail(_ reason: String) -> LedgerQueryError { .malformedDetail(event: .applied, reason: reason) }
        guard case .array(let raw)? = detail["objects"] else { throw fail("objects: expected an array") }
        var objects: [AppliedObject] = []
        for (i, item) in raw.enumerated() {
            guard let apiVersion = item["apiVersion"]?.stringValue, let kind = item["kind"]?.stringValue,
                  let name = item["name"]?.stringValue, let contentHash = item["contentHash"]?.stringValue else {
                throw fail("objects[\(i)]: needs apiVersion, kind, name and contentHash")
            }
            objects.append(AppliedObject(apiVersion: apiVersion, kind: kind, namespace: item["namespace"]?.stringValue, name: name,
                                         contentHash: contentHash, fields: (item["fields"]?.arrayValue ?? []).compactMap(\.stringValue),
                                         resourceVersion: item["resourceVersion"]?.stringValue))
        }
        return objects
    }
}
