import EvolutionAPI
import KubeJSON
import KubeSemantics

/// Whether a live object still holds what Causeway applied: one definition for the controller
/// (its baselines after an apply), the engine (every watch event) and `causeway drift` (a scan).
///
/// What Causeway owns is its field manager's managedFields entry after its apply; a departure
/// is a different value in one of those fields (whoever wrote it), the fields taken by another
/// manager's forced apply, or the object gone. Fields Causeway does not own are not compared.
public enum DriftInspection {
    public static let fieldManager = "causeway"

    /// What Causeway owns on `applied` (the object as the server answered its apply), or nil
    /// when the answer names no such manager (nothing is owned, nothing can drift).
    public static func baseline(after applied: JSON, target: String, step: String, contentHash: String? = nil, object: ObjectKey) -> OwnedObject? {
        guard let entry = ownedEntry(of: applied) else { return nil }
        let fields = entry.fields.subtracting(markFields)
        return OwnedObject(target: target, step: step, object: object, fields: fields.fieldsV1,
                           valuesHash: valuesHash(applied, fields: fields), resourceVersion: ResourceVersion.of(applied), contentHash: contentHash)
    }

    public static func valuesHash(_ object: JSON, fields: FieldSet) -> String { ContentHash.of(fields.values(in: object)) }

    /// The governance mark's label and annotation: Causeway's bookkeeping, not what a step
    /// declared. Its webhook guards them (a write to them is journaled, and denied under a
    /// freeze); the drift baseline leaves them out, which keeps every Evolution's status small.
    static let markFields = try! FieldSet(fieldsV1: ["f:metadata": [
        "f:annotations": [.init(stringLiteral: "f:" + GovernanceMark.annotation): [:]],
        "f:labels": [.init(stringLiteral: "f:" + GovernanceMark.label): [:], .init(stringLiteral: "f:" + GovernanceMark.frozenLabel): [:]],
    ]])

    /// The departure of `live` (nil: it does not exist) from `owned`, or nil when there is none,
    /// or when `live` is older than the baseline (a watch cache that has not caught up).
    public static func inspect(_ owned: OwnedObject, live: JSON?) -> DeviationRecord? {
        // Most reads are of Causeway's own last write (or older): nothing to parse or hash.
        if let live, let version = ResourceVersion.of(live),
           version == owned.resourceVersion || ResourceVersion.isOlder(version, than: owned.resourceVersion) {
            return nil
        }
        guard let fields = try? FieldSet(fieldsV1: owned.fields) else { return nil }
        func deviation(_ kind: DeviationRecord.Kind, fields changed: [String], liveHash: String?) -> DeviationRecord {
            DeviationRecord(target: owned.target, step: owned.step, object: owned.object, kind: kind, fields: changed,
                            baselineHash: owned.valuesHash, liveHash: liveHash)
        }
        guard let live else {
            var gone = deviation(.deleted, fields: [], liveHash: nil)
            gone.attribution = "cannot attribute: a deleted object keeps no managedFields"
            return gone
        }
        let liveHash = valuesHash(live, fields: fields)
        guard liveHash != owned.valuesHash else { return nil }
        let present = fields.values(in: live).objectValue ?? JSONObject()
        let removed = fields.paths.filter { present[$0] == nil }
        var found = deviation(.changed, fields: removed, liveHash: liveHash)
        guard let managers = entries(of: live) else {
            found.attribution = live[path: "metadata", "managedFields"] == nil
                ? "cannot attribute: the object carries no managedFields" : "cannot attribute: its managedFields are malformed"
            return found
        }
        // Whoever now holds fields Causeway held took them: the latest such write is the departure.
        let holders = managers.filter { $0.manager != fieldManager }.map { ($0, $0.fields.intersection(fields)) }.filter { !$0.1.isEmpty }
        guard let (writer, taken) = holders.max(by: { $0.0.time < $1.0.time }) else {
            found.attribution = "cannot attribute: no other manager holds the changed fields"
                + (removed.isEmpty ? "" : " (removed, which leaves no owner)")
            return found
        }
        found.kind = writer.operation == "Apply" ? .takenOver : .changed
        found.fields = Array(Set(taken.paths + removed)).sorted()
        found.manager = writer.manager
        found.operation = writer.operation
        found.subresource = writer.subresource
        found.time = writer.time
        return found
    }

    /// The object as a watch cache needs to keep it for drift: Causeway's own managedFields entry
    /// dropped (what it owns is in status, from its apply), the other managers' kept for attribution.
    /// Most applied objects have no other manager, so they cost what they would without managedFields.
    /// The governance mark is kept `compacted` (its hash, not its field list).
    public static func cacheShape(_ object: JSON) -> JSON {
        let object = GovernanceMark.compacted(object)
        guard let items = object[path: "metadata", "managedFields"]?.arrayValue,
              items.contains(where: { $0["manager"]?.stringValue == fieldManager }) else { return object }
        var shaped = object
        shaped["metadata"]?["managedFields"] = .array(items.filter { $0["manager"]?.stringValue != fieldManager })
        return shaped
    }

    /// Causeway's own managedFields entry (its apply, not through a subresource): what it owns there.
    public static func ownedEntry(of object: JSON) -> ManagedFieldsEntry? {
        entries(of: object)?.first { $0.manager == fieldManager && $0.operation == "Apply" && $0.subresource == nil }
    }

    /// The object's managedFields, or nil when absent or malformed.
    public static func entries(of object: JSON) -> [ManagedFieldsEntry]? {
        guard let items = object[path: "metadata", "managedFields"]?.arrayValue else { return nil }
        var entries: [ManagedFieldsEntry] = []
        for item in items {
            guard let entry = try? ManagedFieldsEntry(json: item) else { return nil }
            entries.append(entry)
        }
        return entries
    }
}
