import Foundation
import KubeJSON
import KubeSemantics

extension APIServer {
    /// DELETE (KUBE-API.md §2.6): without finalizers the object goes and the
    /// answer is a Status; with finalizers it is marked (deletionTimestamp,
    /// generation+1) and returned; preconditions and propagation policies apply.
    func delete(_ c: RequestContext) throws -> APIResponse {
        let name = c.info.name ?? ""
        guard let existing = store.get(c.type.key, namespace: c.namespace, name: name) else { throw APIError.notFound(c.type, name) }
        let options = c.request.body.isEmpty ? JSON.object([:]) : ((try? JSON.parse(c.request.body)) ?? [:])
        let pre = options["preconditions"]
        if let uid = pre?["uid"]?.stringValue, uid != existing[path: "metadata", "uid"]?.stringValue {
            throw APIError(code: 409, reason: "Conflict",
                           message: "Operation cannot be fulfilled on \(c.type.kind).\(c.type.group) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing[path: "metadata", "uid"]?.stringValue ?? "")",
                           details: APIError.details(name: name, group: c.type.group, kind: c.type.kind))
        }
        if let rv = pre?["resourceVersion"]?.stringValue, rv != existing[path: "metadata", "resourceVersion"]?.stringValue {
            throw APIError(code: 409, reason: "Conflict",
                           message: "Operation cannot be fulfilled on \(c.type.kind).\(c.type.group) \"\(name)\": the ResourceVersion in the precondition (\(rv)) does not match the ResourceVersion in record (\(existing[path: "metadata", "resourceVersion"]?.stringValue ?? "")). The object might have been modified",
                           details: APIError.details(name: name, group: c.type.group, kind: c.type.kind))
        }
        let policy = options["propagationPolicy"]?.stringValue
        if let policy, !["Foreground", "Background", "Orphan"].contains(policy) {
            throw APIError.invalid(c.type, name, [.notSupported("propagationPolicy", .string(policy), supported: ["Foreground", "Background", "Orphan", "nil"])])
        }
        let dryRun = c.dryRun || options["dryRun"]?.arrayValue?.contains("All") == true
        if let admission = c.admission {
            var attributes = AdmissionAttributes(c, name: name, object: .null, existing: existing, operation: "Delete")
            attributes.dryRun = dryRun
            _ = try admission.reach(.mutating, attributes)
            _ = try admission.reach(.validating, attributes)
        }
        let accepted = options["orphanDependents"]?.boolValue == false

        var finalizers = (existing[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if policy == "Foreground", !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
        if policy == "Orphan", !finalizers.contains("orphan") { finalizers.append("orphan") }
        let isNamespace = c.type.plural == "namespaces"

        if finalizers.isEmpty && !isNamespace {
            if !dryRun {
                store.remove(c.type.key, namespace: c.namespace, name: name, lastState: existing)
                afterRemoval(c.type, existing)
            }
            let status: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                                "details": APIError.details(name: name, group: c.type.group, kind: c.type.plural,
                                                            uid: existing[path: "metadata", "uid"]?.stringValue)]
            return .object(status: 200, body: status)
        }
        if existing[path: "metadata", "deletionTimestamp"] != nil {
            return respond(c, object: existing)  // already terminating: same object, no new revision
        }
        var marked = existing
        marked["metadata"]?["deletionTimestamp"] = .string(timestamp())
        marked["metadata"]?["deletionGracePeriodSeconds"] = 0
        marked["metadata"]?["finalizers"] = .array(finalizers.map { .string($0) })
        if let generation = existing[path: "metadata", "generation"]?.intValue { marked["metadata"]?["generation"] = .int(generation + 1) }
        if isNamespace { marked["status"] = ["phase": "Terminating"] }
        if dryRun { return respond(c, object: marked, status: accepted ? 202 : 200) }
        let stored = store.put(c.type.key, namespace: c.namespace, name: name, marked)
        afterWrite(c.type, stored)
        return respond(c, object: stored, status: accepted ? 202 : 200)
    }

    /// DELETE on a collection: each matching object as a single delete would; answers the list of them.
    func deleteCollection(_ c: RequestContext) throws -> APIResponse {
        let filter = try selectorFilter(c)
        var deleted: [JSON] = []
        for (_, object) in store.list(c.type.key, namespace: c.namespace) where filter(object) {
            var single = c
            single.info.name = object[path: "metadata", "name"]?.stringValue
            single.info.verb = "delete"
            single.request.body = []
            _ = try delete(single)
            deleted.append(store.get(c.type.key, namespace: c.namespace, name: single.info.name ?? "") ?? object)
        }
        return .object(status: 200, body: ["kind": .string(c.type.kind + "List"), "apiVersion": .string(c.type.apiVersion),
                                           "metadata": ["resourceVersion": .string(String(store.revision))], "items": .array(deleted)])
    }
}
