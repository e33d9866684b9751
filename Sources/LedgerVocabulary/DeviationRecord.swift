import KubeJSON

/// One departure from what a step applied: the `detail` of a `Deviation` entry, of the
/// `Adopted` entry that takes it as the new baseline, and each item of `status.drift.deviations`.
///
/// ```json
/// {"target": "eu-west", "step": "gateway-policy",
///  "object": {"apiVersion": "gw.example/v1", "kind": "Policy", "namespace": "edge", "name": "default"},
///  "kind": "Changed", "fields": [".spec.allowRoles"],
///  "manager": "kubectl-patch", "operation": "Update", "time": "2026-12-06T10:42:07Z",
///  "baselineHash": "<16 hex>", "liveHash": "<16 hex>"}
/// ```
/// - `kind`: `Changed` (another manager changed a value in a field Causeway owns),
///   `TakenOver` (another manager's forced server-side apply took the field), `Deleted`.
/// - `fields`: the owned fields another manager now holds, or that are gone (may be empty
///   when the values changed and managedFields do not say where).
/// - `manager`, `operation`, `subresource`, `time`: from the object's managedFields; absent
///   when they cannot say (`attribution` then says why — never a guess).
/// - `people`: who made the write, per Causeway's admission journal (`JournalEntry`): the
///   users whose recorded write left exactly these values, else every user who changed the
///   owned fields since Causeway's apply; `breakGlass` the reasons given for breaking a freeze;
///   `journal` why nobody is named (no webhook, no entry, unreadable journal).
/// - `baselineHash`/`liveHash`: of the owned fields' values as Causeway left them and as found
///   (`liveHash` absent for a deleted object).
public struct DeviationRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case changed = "Changed"
        case takenOver = "TakenOver"
        case deleted = "Deleted"
    }

    public var target: String
    public var step: String
    public var object: ObjectReference
    public var kind: Kind
    public var fields: [String]
    public var manager: String?
    public var operation: String?
    public var subresource: String?
    public var time: String?
    /// Why there is no manager, when there is none.
    public var attribution: String?
    /// The object's resourceVersion where the departure was seen (absent in entries written before it was kept).
    public var resourceVersion: String?
    public var people: [String] = []
    public var breakGlass: [String] = []
    /// Why `people` is empty, when it is.
    public var journal: String?
    public var baselineHash: String
    public var liveHash: String?

    public init(target: String, step: String, object: ObjectReference, kind: Kind, fields: [String], manager: String? = nil,
                operation: String? = nil, subresource: String? = nil, time: String? = nil, attribution: String? = nil,
                baselineHash: String, liveHash: String?) {
        self.target = target
        self.step = step
        self.object = object
        self.kind = kind
        self.fields = fields
        self.manager = manager
        self.operation = operation
        self.subresource = subresource
        self.time = time
        self.attribution = attribution
        self.baselineHash = baselineHash
        self.liveHash = liveHash
    }

    /// Who, as one phrase: `bob@example.com with kubectl-patch (Update)`, `kubectl-patch (Update)`
    /// or the reason nobody can be named.
    public var who: String {
        let person = people.isEmpty ? "" : people.joined(separator: " or ") + (breakGlass.isEmpty ? "" : " (break-glass: \(breakGlass.joined(separator: "; ")))")
        guard let manager else { return person.isEmpty ? attribution ?? "cannot attribute" : person }
        let tool = manager + (operation.map { " (\($0)\(subresource.map { " of \($0)" } ?? ""))" } ?? "")
        return person.isEmpty ? tool : "\(person) with \(tool)"
    }

    /// `Changed .spec.allowRoles of gw.example/v1 Policy edge/default on eu-west by kubectl-patch (Update)`.
    public var summary: String {
        let what = kind == .deleted ? "Deleted" : "\(kind.rawValue) \(fields.isEmpty ? "owned fields" : fields.joined(separator: ", ")) of"
        return "\(what) \(object) on \(target) by \(who)"
    }

    public var json: JSON {
        var o: JSONObject = ["target": .string(target), "step": .string(step), "object": object.json, "kind": .string(kind.rawValue),
                             "fields": .array(fields.map(JSON.string))]
        for (key, value) in [("manager", manager), ("operation", operation), ("subresource", subresource), ("time", time),
                             ("attribution", attribution)] {
            if let value { o[key] = .string(value) }
        }
        if let resourceVersion { o["resourceVersion"] = .string(resourceVersion) }
        if !people.isEmpty { o["people"] = .array(people.map(JSON.string)) }
        if !breakGlass.isEmpty { o["breakGlass"] = .array(breakGlass.map(JSON.string)) }
        if let journal { o["journal"] = .string(journal) }
        o["baselineHash"] = .string(baselineHash)
        if let liveHash { o["liveHash"] = .string(liveHash) }
        return .object(o)
    }

    public init(detail: JSONObject) throws(LedgerQueryError) {
        func fail(_ reason: String) -> LedgerQueryError { .malformedDetail(event: .deviation, reason: reason) }
        guard let target = detail["target"]?.stringValue, let step = detail["step"]?.stringValue else { throw fail("needs target and step") }
        guard let object = detail["object"].flatMap(ObjectReference.init(json:)) else { throw fail("object: needs apiVersion, kind and name") }
        guard let kind = detail["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) else {
            throw fail("kind: expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let baselineHash = detail["baselineHash"]?.stringValue else { throw fail("needs baselineHash") }
        self.init(target: target, step: step, object: object, kind: kind,
                  fields: (detail["fields"]?.arrayValue ?? []).compactMap(\.stringValue),
                  manager: detail["manager"]?.stringValue, operation: detail["operation"]?.stringValue,
                  subresource: detail["subresource"]?.stringValue, time: detail["time"]?.stringValue,
                  attribution: detail["attribution"]?.stringValue, baselineHash: baselineHash, liveHash: detail["liveHash"]?.stringValue)
        resourceVersion = detail["resourceVersion"]?.stringValue
        people = (detail["people"]?.arrayValue ?? []).compactMap(\.stringValue)
        breakGlass = (detail["breakGlass"]?.arrayValue ?? []).compactMap(\.stringValue)
        journal = detail["journal"]?.stringValue
    }
}

/// Names one Kubernetes object: `apps/v1 Deployment shop/web`. The ledger's reference to an
/// object, and (as `EvolutionAPI.ObjectKey`) what a step applies or a check reads.
///
/// `namespace` is kept as written (`nil` when omitted or cluster-scoped).
public struct ObjectReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String? = nil, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `apps/v1 Deployment shop/web`, the form used in messages and the ledger.
    public var description: String { "\(apiVersion) \(kind) " + (namespace.map { "\($0)/" } ?? "") + name }

    public static func < (a: ObjectReference, b: ObjectReference) -> Bool { a.description < b.description }

    public var json: JSON {
        var o: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name)]
        if let namespace { o["namespace"] = .string(namespace) }
        return .object(o)
    }

    public init?(json: JSON) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue, let name = json["name"]?.stringValue
        else { return nil }
        self.init(apiVersion: apiVersion, kind: kind, namespace: json["namespace"]?.stringValue, name: name)
    }
}
