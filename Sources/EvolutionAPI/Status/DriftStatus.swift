import KubeJSON

/// `status.drift`: what the steps own on each target, and every departure from it that is
/// unresolved, with the few most recently resolved after them. The engine's memory of drift:
/// a change is recorded once, across restarts, because its hash is remembered here.
public struct DriftStatus: Sendable, Hashable {
    public var owned: [OwnedObject]
    public var deviations: [DeviationState]

    /// How many resolved deviations stay listed after the unresolved ones.
    public static let recentResolved = 5

    public init(owned: [OwnedObject] = [], deviations: [DeviationState] = []) {
        self.owned = owned
        self.deviations = deviations
    }

    public var isEmpty: Bool { owned.isEmpty && deviations.isEmpty }
    public var unresolved: [DeviationState] { deviations.filter(\.isOpen) }
}

/// One object a step applied on a target, as Causeway left it: the fields its field manager
/// owns there (managedFields `fieldsV1` after its last apply) and a hash of their values then.
public struct OwnedObject: Sendable, Hashable {
    public var target: String
    /// The step whose apply left it so.
    public var step: String
    /// As the step's manifest names it (namespace as written).
    public var object: ObjectKey
    public var fields: JSON
    /// `ContentHash` of the owned fields' values (`FieldSet.values(in:)`) after that apply.
    public var valuesHash: String
    /// The object's resourceVersion after that apply: older reads are not compared.
    public var resourceVersion: String?
    /// The step's content hash when it applied this: a revert re-applies only that content.
    public var contentHash: String?
    /// Reverts of departures in a row (another writer changing it back each time).
    public var reverts: Int
    /// Reverts in a row the API server refused (backed off apart from a fight).
    public var failedReverts: Int
    public var revertedAt: Timestamp?
    /// Whether the governance mark of that apply said frozen: a spec that says otherwise re-applies it.
    public var frozen: Bool
    /// Since when a departure waits for its admission journal entry (stored behind the admission answer).
    public var awaitingJournalSince: Timestamp?

    public init(target: String, step: String, object: ObjectKey, fields: JSON, valuesHash: String, resourceVersion: String?,
                contentHash: String? = nil, reverts: Int = 0, failedReverts: Int = 0, revertedAt: Timestamp? = nil, frozen: Bool = false) {
        self.frozen = frozen
        self.target = target
        self.step = step
        self.object = object
        self.fields = fields
        self.valuesHash = valuesHash
        self.resourceVersion = resourceVersion
        self.contentHash = contentHash
        self.reverts = reverts
        self.failedReverts = failedReverts
        self.revertedAt = revertedAt
    }
}

/// A deviation and what became of it.
public struct DeviationState: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Recorded; the policy is Report, or a revert is pending.
        case unresolved = "Unresolved"
        /// Reverted more than once in a row: another writer keeps changing it back.
        case contested = "Contested"
        case reverted = "Reverted"
        case adopted = "Adopted"
        /// The live values match Causeway's again, put back by someone else or a later apply.
        case cleared = "Cleared"
    }

    public var record: DeviationRecord
    public var state: State
    public var detectedAt: Timestamp
    public var resolvedAt: Timestamp?

    public init(record: DeviationRecord, state: State = .unresolved, detectedAt: Timestamp, resolvedAt: Timestamp? = nil) {
        self.record = record
        self.state = state
        self.detectedAt = detectedAt
        self.resolvedAt = resolvedAt
    }

    public var isOpen: Bool { state == .unresolved || state == .contested }
}

extension DriftStatus {
    init?(json: JSON?) {
        guard let json, case .object = json else { return nil }
        self.init(owned: (json["owned"]?.arrayValue ?? []).compactMap(OwnedObject.init(json:)),
                  deviations: (json["deviations"]?.arrayValue ?? []).compactMap(DeviationState.init(json:)))
    }

    public var json: JSON { ["owned": .array(owned.map(\.json)), "deviations": .array(deviations.map(\.json))] }
}

extension OwnedObject {
    init?(json: JSON) {
        guard let target = json["target"]?.stringValue, let step = json["step"]?.stringValue,
              let object = json["object"].flatMap(ObjectKey.init(json:)), let valuesHash = json["valuesHash"]?.stringValue else { return nil }
        self.init(target: target, step: step, object: object, fields: json["fields"] ?? [:], valuesHash: valuesHash,
                  resourceVersion: json["resourceVersion"]?.stringValue, contentHash: json["contentHash"]?.stringValue,
                  reverts: json["reverts"]?.intValue.map { Int($0) } ?? 0, failedReverts: json["failedReverts"]?.intValue.map { Int($0) } ?? 0,
                  revertedAt: json["revertedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)), frozen: json["frozen"]?.boolValue ?? false)
        awaitingJournalSince = json["awaitingJournalSince"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
    }

    public var json: JSON {
        var o: JSONObject = ["target": .string(target), "step": .string(step), "object": object.json, "fields": fields,
                             "valuesHash": .string(valuesHash)]
        o.put("resourceVersion", resourceVersion.map { .string($0) })
        o.put("contentHash", contentHash.map { .string($0) })
        if reverts > 0 { o.put("reverts", .int(Int64(reverts))) }
        if failedReverts > 0 { o.put("failedReverts", .int(Int64(failedReverts))) }
        o.put("revertedAt", revertedAt.map { .string($0.rfc3339) })
        if frozen { o.put("frozen", .bool(true)) }
        o.put("awaitingJournalSince", awaitingJournalSince.map { .string($0.rfc3339) })
        return .object(o)
    }
}

extension DeviationState {
    init?(json: JSON) {
        guard case .object(let o) = json, let record = try? DeviationRecord(detail: o),
              let detectedAt = json["detectedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        self.init(record: record, state: json["state"]?.stringValue.flatMap(State.init(rawValue:)) ?? .unresolved, detectedAt: detectedAt,
                  resolvedAt: json["resolvedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
    }

    public var json: JSON {
        guard case .object(var o) = record.json else { return record.json }
        o["state"] = .string(state.rawValue)
        o["detectedAt"] = .string(detectedAt.rfc3339)
        o.put("resolvedAt", resolvedAt.map { .string($0.rfc3339) })
        return .object(o)
    }
}
