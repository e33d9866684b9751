import EvolutionAPI
import EvolutionEngine
import KubeJSON
import KubeSemantics

/// The validating admission decision for objects Causeway governs (those carrying a
/// `GovernanceMark` its key verifies): a write by anyone but Causeway that changes a field
/// Causeway owns there (its managedFields entry on the object as it was) is journaled with the
/// person the API server authenticated; on a frozen object it is denied unless it breaks the glass.
/// Writes that leave Causeway's fields alone (another controller's annotations, status) pass
/// unrecorded. A pure function of the AdmissionReview's `request`.
public enum GovernedWrites {
    public struct Review: Sendable {
        /// The AdmissionReview `response`, without its `uid`.
        public var response: JSON
        /// What goes in the journal (allowed or denied), signed; nil when the write is not one to record.
        public var entry: JournalEntry?
    }

    /// Accounts the cluster cleans up with (the namespace controller, the garbage collector): a
    /// freeze never blocks them, so a namespace can always be deleted. They are journaled as anyone.
    public static func exemptFromFreeze(_ user: String) -> Bool { user.hasPrefix("system:serviceaccount:kube-system:") }

    public static func review(_ request: JSON, key: StampKey, now: String) -> Review {
        let pass = Review(response: ["allowed": true], entry: nil)
        let operation = request["operation"]?.stringValue ?? ""
        guard operation == "UPDATE" || operation == "DELETE", (request["subResource"]?.stringValue ?? "").isEmpty,
              let old = request["oldObject"], old.objectValue != nil, let object = ObjectReference(manifest: old),
              let mark = GovernanceMark.read(from: old), key.verifies(mark, object: object),
              let owned = DriftInspection.entries(of: old)?.first(where: {
                  $0.manager == DriftInspection.fieldManager && $0.operation == "Apply" && $0.subresource == nil
              })
        else { return pass }
        let new = operation == "DELETE" ? nil : request["object"]
        let changed: [String]
        if let new {
            let before = owned.fields.values(in: old).objectValue ?? JSONObject(), after = owned.fields.values(in: new).objectValue ?? JSONObject()
            changed = owned.fields.paths.filter { before[$0] != after[$0] }
        } else {
            changed = owned.fields.paths
        }
        guard !changed.isEmpty else { return pass }
        let user = request[path: "userInfo", "username"]?.stringValue ?? ""
        let fieldManager = request[path: "options", "fieldManager"]?.stringValue
        // Causeway itself: the account it writes the object as, applying as its field manager.
        if user == mark.applier, operation == "DELETE" || fieldManager == DriftInspection.fieldManager { return pass }

        let breakGlass = Self.breakGlass(old: old, new: new)
        let frozen = mark.freeze && breakGlass == nil && !exemptFromFreeze(user)
        let entry = key.sign(JournalEntry(
            time: now, user: user, groups: (request[path: "userInfo", "groups"]?.arrayValue ?? []).compactMap(\.stringValue),
            operation: operation, fieldManager: fieldManager, object: object, uid: old[path: "metadata", "uid"]?.stringValue,
            oldResourceVersion: old[path: "metadata", "resourceVersion"]?.stringValue, fields: changed,
            ownedHash: new.map { DriftInspection.valuesHash($0, fields: owned.fields) }, evolution: mark.evolution,
            dryRun: request["dryRun"]?.boolValue ?? false, breakGlass: breakGlass, allowed: !frozen))
        guard frozen else { return Review(response: ["allowed": true], entry: entry) }
        let message = "\(object) is frozen by Evolution \(mark.evolution) (spec.drift.freeze): only Causeway (\(mark.applier)) may "
            + (operation == "DELETE" ? "delete it" : "change \(changed.joined(separator: ", "))")
            + (operation == "DELETE"
                ? "; to delete it anyway, first set annotation \(GovernanceMark.breakGlassAnnotation)=\"<reason>\" on it (recorded), then delete it"
                : "; to change it anyway, set annotation \(GovernanceMark.breakGlassAnnotation)=\"<reason>\" in the same write (recorded)")
        return Review(response: ["allowed": false, "status": ["code": 403, "reason": "Forbidden", "message": .string(message)]], entry: entry)
    }

    /// The reason a write breaks the glass with: set or changed by this write (an old one left in
    /// place does not open the next write); a DELETE, which cannot annotate, by the one it carries.
    static func breakGlass(old: JSON, new: JSON?) -> String? {
        func reason(_ object: JSON?) -> String? {
            guard let text = object?[path: "metadata", "annotations", GovernanceMark.breakGlassAnnotation]?.stringValue, !text.isEmpty else { return nil }
            return text
        }
        guard let new else { return reason(old) }
        let given = reason(new)
        return given == reason(old) ? nil : given
    }
}
