import EvolutionAPI
import EvolutionEngine
import KubeJSON
import KubeSemantics

/// Writes as the API server records them, for drift tests: each write a new resourceVersion;
/// ownership in managedFields as server-side apply and updates move it (a manager that changes
/// a field takes it from whoever held it).
struct ServerSimulation {
    var revision: Int64 = 100
    var time = "2026-03-10T09:30:00Z"

    /// Causeway's forced apply: it holds every field it sends.
    mutating func apply(_ manifest: JSON, over live: JSON?, manager: String = "causeway") -> JSON {
        write(manifest, over: live, manager: manager, operation: "Apply", fields: FieldSet.of(manifest, listSemantics: nil))
    }

    /// Another manager's write: `edit` changes the live object; the fields it changed become that manager's.
    mutating func update(_ live: JSON, manager: String, operation: String = "Update", edit: (inout JSON) -> Void) -> JSON {
        var next = live
        edit(&next)
        next["metadata"]?["managedFields"] = nil
        var old = live
        old["metadata"]?["managedFields"] = nil
        let changed = FieldSet.changed(from: old, to: next, listSemantics: nil)
        return write(next, over: live, manager: manager, operation: operation, fields: changed)
    }

    private mutating func write(_ object: JSON, over live: JSON?, manager: String, operation: String, fields: FieldSet) -> JSON {
        revision += 1
        var entries = (live?[path: "metadata", "managedFields"]?.arrayValue ?? []).compactMap { try? ManagedFieldsEntry(json: $0) }
        for i in entries.indices where entries[i].manager != manager { entries[i].fields = entries[i].fields.subtracting(fields) }
        entries.removeAll { $0.fields.isEmpty }
        if let mine = entries.firstIndex(where: { $0.manager == manager && $0.operation == operation }) {
            entries[mine].fields = operation == "Apply" ? fields : entries[mine].fields.union(fields)
            entries[mine].time = time
        } else {
            entries.append(ManagedFieldsEntry(manager: manager, operation: operation, apiVersion: object["apiVersion"]?.stringValue ?? "v1",
                                              time: time, fields: fields))
        }
        var stored = object
        stored["metadata"]?["resourceVersion"] = .string("\(revision)")
        stored["metadata"]?["managedFields"] = .array(entries.map(\.json))
        return stored
    }
}
