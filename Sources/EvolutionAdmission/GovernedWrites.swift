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

    /// Accounts the cluster cleans up with (the namespace controller and garbage collector, with
    /// or without per-controller credentials): a freeze never blocks them, so a namespace can
    /// always be deleted. They are journaled as anyone.
    static func exemptFromFreeze(_ user: String) -> Bool {
        user.hasPrefix("system:serviceaccount:kube-system:") || user == "system:kube-controller-manager"
    }

    public static func review(_ request: JSON, key: StampKey, now: String) -> Review {
        let pass = Review(response: ["allowed": true], entry: nil)
        let operation = request["operation"]?.stringValue ?? ""
        guard operation == "UPDATE" || operation == "DELETE", (request["subResource"]?.stringValue ?? "").isEmpty,
              let old = request["oldObject"], old.objectValue != nil, let object = ObjectReference(manifest: old),
              let mark = GovernanceMark.read(from: old), key.verifies(mark, object: object)
        else { return pass }
        let new = operation == "DELETE" ? nil : request["object"]
        let owned = DriftInspection.ownedEntry(of: old)?.fields
        // What the step applied (the mark's fields), what managedFields say Causeway still owns, and the mark itself.
        var changed = new.map { mark.changedFields(from: old, to: $0) } ?? mark.fields.map { "." + $0.joined(separator: ".") }
        let taken = owned.map { changes(to: $0, from: old, to: new) }
            // Causeway's entry is gone from a marked object: someone wiped managedFields.
            ?? [".metadata.managedFields"]
        changed += taken.filter { !changed.contains($0) }
        if let new, GovernanceMark.read(from: new) != mark { changed.append(".metadata.annotations.\(GovernanceMark.annotation)") }
        // Under a freeze, a new owner is a way to have the garbage collector delete the object.
        let adopted = mark.freeze && new != nil && new?[path: "metadata", "ownerReferences"] != old[path: "metadata", "ownerReferences"]
        let touched = changed + (adopted ? [".metadata.ownerReferences"] : [])
        guard !touched.isEmpty else { return pass }
        let user = request[path: "userInfo", "username"]?.stringValue ?? ""
        let fieldManager = request[path: "options", "fieldManager"]?.stringValue
        // Causeway itself: the account it writes the object as, applying as its field manager; or, when the
        // Evolution's account changed (spec.serviceAccountName, rotated credentials), applying a new mark of
        // the same Evolution that the key verifies and that names the writer (only the controller signs marks).
        if fieldManager == DriftInspection.fieldManager || operation == "DELETE" {
            if user == mark.applier { return pass }
            if let new, let renewed = GovernanceMark.read(from: new), renewed.applier == user, renewed.evolution == mark.evolution,
               key.verifies(renewed, object: object) { return pass }
        }

        let breakGlass = Self.breakGlass(old: old, new: new)
        let frozen = mark.freeze && breakGlass == nil && !exemptFromFreeze(user)
        let entry = key.sign(JournalEntry(
            time: now, user: user, groups: (request[path: "userInfo", "groups"]?.arrayValue ?? []).compactMap(\.stringValue),
            operation: operation, fieldManager: fieldManager, object: object, uid: old[path: "metadata", "uid"]?.stringValue,
            oldResourceVersion: old[path: "metadata", "resourceVersion"]?.stringValue, fields: touched,
            ownedHash: new.map { mark.valuesHash(of: $0) }, evolution: mark.evolution,
            dryRun: request["dryRun"]?.boolValue ?? false, breakGlass: breakGlass, allowed: !frozen))
        guard frozen else { return Review(response: ["allowed": true], entry: entry) }
        let message = "\(object) is frozen by Evolution \(mark.evolution) (spec.drift.freeze): only Causeway (\(mark.applier)) may "
            + (operation == "DELETE" ? "delete it" : "change \(touched.joined(separator: ", "))")
            + (operation == "DELETE"
                ? "; to delete it anyway, first set annotation \(GovernanceMark.breakGlassAnnotation)=\"<reason>\" on it (recorded), then delete it"
                : "; to change it anyway, set annotation \(GovernanceMark.breakGlassAnnotation)=\"<reason>\" in the same write (recorded)")
        return Review(response: ["allowed": false, "status": ["code": 403, "reason": "Forbidden", "message": .string(message)]], entry: entry)
    }

    /// The fields Causeway owned on `old` that the write changes: a different value, or (a DELETE)
    /// all of them, or no longer Causeway's in the managedFields the write leaves (wiped, or taken
    /// by another manager's forced apply) even where the value stayed.
    static func changes(to owned: FieldSet, from old: JSON, to new: JSON?) -> [String] {
        guard let new else { return owned.paths }
        let before = owned.values(in: old).objectValue ?? JSONObject(), after = owned.values(in: new).objectValue ?? JSONObject()
        var changed = owned.paths.filter { before[$0] != after[$0] }
        if new[path: "metadata", "managedFields"] != nil {
            let kept = Set(DriftInspection.ownedEntry(of: new)?.fields.paths ?? [])
            changed += owned.paths.filter { !kept.contains($0) && !changed.contains($0) }
        }
        return changed
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
