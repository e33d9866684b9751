import Foundation
import KubeJSON
import KubeSemantics

extension APIServer {
    /// The one path every create, update, patch and apply takes to storage: the
    /// status split, server-owned metadata, validation, generation, finalizer
    /// rules, field ownership, no-op detection and dry run (KUBE-API.md §2–§4).
    func write(_ c: RequestContext, name: String, incoming: JSON, existing: JSON?, manager: String, operation: String,
               ownershipDone: Bool = false) throws -> APIResponse {
        let type = c.type
        let now = timestamp()
        let statusWrite = c.info.subresource == "status"
        var object = incoming

        if type.namespaced, existing == nil {
            try checkNamespaceAccepts(c.namespace ?? "default", type: type, name: name)
        }
        try checkEscalation(c, name: name, object: incoming, existing: existing)

        // The status split: /status takes only status; the main endpoint never changes it.
        if let existing, type.hasStatus {
            if statusWrite {
                var kept = existing
                kept["status"] = incoming["status"]
                if ownershipDone { kept["metadata"]?["managedFields"] = incoming[path: "metadata", "managedFields"] }
                object = kept
            } else {
                object["status"] = existing["status"]
            }
        } else if existing == nil, type.hasStatus, type.isCustom || type.kind == "Deployment" {
            object["status"] = nil
        }

        // Server-owned metadata.
        if let existing {
            let oldUID = existing[path: "metadata", "uid"]?.stringValue ?? ""
            if let uid = object[path: "metadata", "uid"]?.stringValue, !uid.isEmpty, uid != oldUID {
                throw APIError.invalid(type, name, [.invalid("metadata.uid", .string(uid), "field is immutable")])
            }
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
                object["metadata"]?[field] = existing[path: "metadata", field]
            }
            if !ownershipDone, object[path: "metadata", "managedFields"] == nil {
                object["metadata"]?["managedFields"] = existing[path: "metadata", "managedFields"]
            }
        } else {
            object["metadata"]?["uid"] = .string(RandomUUID.make())
            object["metadata"]?["creationTimestamp"] = .string(now)
            object["metadata"]?["deletionTimestamp"] = nil
            object["metadata"]?["deletionGracePeriodSeconds"] = nil
            object["metadata"]?["generation"] = type.tracksGeneration ? 1 : nil
            if type.plural == "namespaces" {
                object["spec"] = ["finalizers": ["kubernetes"]]
                object["status"] = ["phase": "Active"]
                if object[path: "metadata", "labels"] == nil { object["metadata"]?["labels"] = [:] }
                object["metadata"]?["labels"]?["kubernetes.io/metadata.name"] = .string(name)
            }
        }
        object["metadata"]?["resourceVersion"] = nil

        // Mutating admission webhooks see the object before defaults, pruning and validation apply to what they return.
        if let admission = c.admission {
            object = try admission.reach(.mutating, AdmissionAttributes(c, name: name, object: object, existing: existing, operation: operation))
        }

        // Custom resources: defaults, pruning and the structural schema.
        var warnings: [String] = []
        if type.isCustom, let schema = type.structuralSchema {
            let pruned = schema.prune(schema.applyDefaults(to: object))
            object = pruned.object
            if !pruned.unknownFields.isEmpty {
                switch c.request.parameter("fieldValidation") {
                case "Strict":
                    let list = pruned.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                    throw APIError.badRequest("strict decoding error: \(list)")
                case "Warn":
                    warnings = pruned.unknownFields.map { "unknown field \"\($0)\"" }
                default: break
                }
            }
            let causes = schema.validate(object)
            if !causes.isEmpty { throw APIError.invalid(type, name, causes) }
        }
        if type.kind == "Lease", let problem = ObjectRules.leaseTimeProblem(object) { throw APIError.badRequest(problem) }
        var causes = ObjectRules.validateMetadata(object, type: type) + ObjectRules.validateKind(object, type: type)
        if type.group == RBACPolicy.group, type.kind.hasSuffix("Binding"), let existing, existing["roleRef"] != object["roleRef"] {
            causes.append(.invalid("roleRef", object["roleRef"] ?? .null, "cannot change roleRef"))
        }
        if type.key == Self.crdType, let problem = validateCRD(object) {
            causes.append(.invalid("metadata.name", .string(name), problem))
        }
        if !causes.isEmpty { throw APIError.invalid(type, name, causes) }

        // Finalizers: none may be added while terminating (the real server lists the cause twice).
        if let existing, existing[path: "metadata", "deletionTimestamp"] != nil {
            let before = Set((existing[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
            let after = (object[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
            let added = after.filter { !before.contains($0) }
            if !added.isEmpty {
                let cause = FieldError.forbidden("metadata.finalizers",
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.map { "\"\($0)\"" }.joined(separator: ", "))}")
                throw APIError.invalid(type, name, [cause, cause])
            }
        }

        // Generation moves with spec: everything but metadata, and status where it is split off.
        if type.tracksGeneration, let existing, !statusWrite, specChanged(existing, object, type: type) {
            let generation = existing[path: "metadata", "generation"]?.intValue ?? 1
            object["metadata"]?["generation"] = .int(generation + 1)
        }

        if !ownershipDone {
            let old = existing.map { strippedForOwnership($0) }
            let entries = (existing?[path: "metadata", "managedFields"]?.arrayValue ?? []).compactMap { try? ManagedFieldsEntry(json: $0) }
            let updated = ServerSideApply.recordUpdate(from: old, to: strippedForOwnership(object), manager: manager,
                                                       apiVersion: type.apiVersion, subresource: c.info.subresource, time: now,
                                                       managedFields: entries, listSemantics: { type.listSemantics($0) })
            object["metadata"]?["managedFields"] = updated.isEmpty ? nil : .array(updated.map(\.json))
        }

        // Validating admission webhooks see the object as it would be stored.
        if let admission = c.admission {
            object = try admission.reach(.validating, AdmissionAttributes(c, name: name, object: object, existing: existing, operation: operation))
        }

        // No-op writes store nothing and keep the resourceVersion (KUBE-API.md §2.2).
        if let existing, sameContent(existing, object) {
            return respond(c, object: existing)
        }
        if c.dryRun {
            var preview = object
            if let existing { preview["metadata"]?["resourceVersion"] = existing[path: "metadata", "resourceVersion"] }
            return respond(c, object: preview, status: existing == nil ? 201 : 200)
        }
        // The last finalizer removed from a terminating object: it goes (KUBE-API.md §2.6 step 5).
        if let existing, existing[path: "metadata", "deletionTimestamp"] != nil,
           (object[path: "metadata", "finalizers"]?.arrayValue ?? []).isEmpty {
            store.remove(type.key, namespace: c.namespace, name: name, lastState: existing)
            afterRemoval(type, existing)
            var response = object
            response["metadata"]?["resourceVersion"] = existing[path: "metadata", "resourceVersion"]
            return respond(c, object: response)
        }
        let (stored, encoded) = store.putEncoded(type.key, namespace: c.namespace, name: name, object)
        afterWrite(type, stored)
        let headers = warnings.map { ("Warning", "299 - \"\($0)\"") }
        let response = respond(c, object: stored, status: existing == nil ? 201 : 200, encoded: encoded.bytes)
        if case .object(let status, let body, _, let bytes) = response, !headers.isEmpty {
            return .object(status: status, body: body, headers: headers, encoded: bytes)
        }
        return response
    }

    private func strippedForOwnership(_ object: JSON) -> JSON {
        var o = object
        for field in ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"] { o["metadata"]?[field] = nil }
        return o
    }

    func specChanged(_ old: JSON, _ new: JSON, type: ResourceType) -> Bool {
        func core(_ o: JSON) -> JSON {
            var c = o
            c["metadata"] = nil
            if type.hasStatus { c["status"] = nil }
            return c
        }
        return core(old) != core(new)
    }

    private func sameContent(_ a: JSON, _ b: JSON) -> Bool {
        var x = a, y = b
        x["metadata"]?["resourceVersion"] = nil
        y["metadata"]?["resourceVersion"] = nil
        x["metadata"]?["managedFields"] = nil
        y["metadata"]?["managedFields"] = nil
        return x == y
    }

    func checkNamespaceAccepts(_ namespace: String, type: ResourceType, name: String) throws {
        let nsType = TypeKey(group: "", plural: "namespaces")
        guard let ns = store.get(nsType, namespace: nil, name: namespace) else {
            throw APIError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                           details: APIError.details(name: namespace, group: "", kind: "namespaces"))
        }
        if ns[path: "metadata", "deletionTimestamp"] != nil {
            throw APIError(code: 403, reason: "Forbidden",
                           message: "\(type.qualifiedResource) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                           details: ["name": .string(name), "kind": .string(type.plural),
                                     "causes": [["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"), "field": "metadata.namespace"]]])
        }
    }
}
