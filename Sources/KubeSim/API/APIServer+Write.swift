import Foundation
import KubeJSON
import KubeSemantics

extension APIServer {
    func create(_ c: RequestContext) throws -> APIResponse {
        var object = try c.body(c.type.kind)
        try checkTypeMeta(object, c)
        if let rv = object[path: "metadata", "resourceVersion"]?.stringValue, !rv.isEmpty {
            throw APIError.internalError("resourceVersion should not be set on objects to be created")
        }
        if c.type.namespaced {
            let bodyNamespace = object[path: "metadata", "namespace"]?.stringValue
            if let bodyNamespace, !bodyNamespace.isEmpty, bodyNamespace != c.info.namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object["metadata"]?["namespace"] = .string(c.info.namespace ?? "default")
        }
        var name = object[path: "metadata", "name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: "metadata", "generateName"]?.stringValue, !prefix.isEmpty {
            name = c.admission.map { $0.names.get { prefix + ObjectRules.randomSuffix() } } ?? prefix + ObjectRules.randomSuffix()
            object["metadata"]?["name"] = .string(name)
        }
        guard !name.isEmpty else {
            throw APIError.invalid(c.type, "", [.required("metadata.name", "name or generateName is required")])
        }
        if store.contains(c.type.key, namespace: c.type.namespaced ? c.info.namespace ?? "default" : nil, name: name) {
            throw APIError.alreadyExists(c.type, name)
        }
        return try write(c, name: name, incoming: object, existing: nil, manager: c.fieldManager, operation: "Update")
    }

    func update(_ c: RequestContext) throws -> APIResponse {
        let name = c.info.name ?? ""
        let object = try c.body(c.type.kind)
        try checkTypeMeta(object, c)
        if let bodyName = object[path: "metadata", "name"]?.stringValue, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        guard let existing = store.get(c.type.key, namespace: c.namespace, name: name) else { throw APIError.notFound(c.type, name) }
        let rv = object[path: "metadata", "resourceVersion"]?.stringValue ?? ""
        if rv.isEmpty, c.type.isCustom {
            throw APIError.invalid(c.type, name, [.invalid("metadata.resourceVersion", .int(0), "must be specified for an update")])
        }
        try checkPrecondition(rv, existing, c, name)
        var incoming = object
        if c.type.namespaced { incoming["metadata"]?["namespace"] = .string(c.namespace ?? "") }
        return try write(c, name: name, incoming: incoming, existing: existing, manager: c.fieldManager, operation: "Update")
    }

    func patch(_ c: RequestContext) throws -> APIResponse {
        let name = c.info.name ?? ""
        let contentType = (c.request.header("Content-Type") ?? "").split(separator: ";").first.map(String.init) ?? ""
        let force = c.request.parameter("force") == "true"
        if force && contentType != "application/apply-patch+yaml" {
            throw APIError.invalid(c.type, name, [.forbidden("force", "may not be specified for non-apply patch")])
        }
        let existing = store.get(c.type.key, namespace: c.namespace, name: name)
        if contentType == "application/apply-patch+yaml" { return try apply(c, name: name, existing: existing, force: force) }
        guard let existing else { throw APIError.notFound(c.type, name) }
        let patched: JSON
        do {
            switch contentType {
            case "application/merge-patch+json":
                let patch = try parsePatch(c)
                try checkPrecondition(patch[path: "metadata", "resourceVersion"]?.stringValue ?? "", existing, c, name)
                patched = MergePatch.apply(patch, to: existing)
            case "application/json-patch+json":
                do { patched = try JSONPatch.apply(try parsePatch(c), to: existing) } catch {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", details: [:])
                }
            case "application/strategic-merge-patch+json" where !c.type.isCustom:
                let patch = try parsePatch(c)
                try checkPrecondition(patch[path: "metadata", "resourceVersion"]?.stringValue ?? "", existing, c, name)
                patched = try StrategicMergePatch.apply(patch, to: existing, kind: c.type.kind)
            default:
                throw APIError.unsupportedPatch
            }
        } catch let e as PatchError {
            throw APIError.badRequest(e.message)
        }
        return try write(c, name: name, incoming: patched, existing: existing, manager: c.fieldManager, operation: "Update")
    }

    private func parsePatch(_ c: RequestContext) throws -> JSON {
        do { return try JSON.parse(c.request.body) } catch { throw APIError.badRequest("Invalid JSON Patch") }
    }

    /// Server-side apply (KUBE-API.md §3.4): creates when absent, merges by field ownership, conflicts name the owner.
    private func apply(_ c: RequestContext, name: String, existing: JSON?, force: Bool) throws -> APIResponse {
        guard let manager = c.request.parameter("fieldManager"), !manager.isEmpty else {
            throw APIError(code: 422, reason: "Invalid",
                           message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                           details: ["group": "meta.k8s.io", "kind": "PatchOptions",
                                     "causes": [["reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"]]])
        }
        var applied = try c.body(c.type.kind)
        guard applied["apiVersion"]?.stringValue == c.type.apiVersion, applied["kind"]?.stringValue == c.type.kind else {
            throw APIError.badRequest("Incorrect version specified in apply patch. Specified patch version: \(applied["apiVersion"]?.stringValue ?? ""), expected: \(c.type.apiVersion)")
        }
        if applied[path: "metadata", "managedFields"] != nil {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        if let bodyName = applied[path: "metadata", "name"]?.stringValue, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if c.type.namespaced { applied["metadata"]?["namespace"] = .string(c.namespace ?? "") }
        if let existing {
            try checkPrecondition(applied[path: "metadata", "resourceVersion"]?.stringValue ?? "", existing, c, name)
        } else {
            // An apply that creates needs `create` as well as `patch`; the real handler's
            // message is the authorizer's reason alone (usually empty) after "is forbidden: ".
            let create = AuthorizationAttributes(user: c.user, verb: "create", group: c.type.group, version: c.type.version,
                                                 resource: c.type.plural, subresource: c.info.subresource ?? "",
                                                 namespace: c.namespace ?? "", name: name)
            let decision = authorize(create)
            if !decision.allowed {
                throw AuthorizationAttributes.forbidden(group: c.type.group, resource: c.type.plural, name: name, because: decision.reason)
            }
        }
        let entries = (existing?[path: "metadata", "managedFields"]?.arrayValue ?? []).compactMap { try? ManagedFieldsEntry(json: $0) }
        let type = c.type
        let result: (object: JSON, managedFields: [ManagedFieldsEntry])
        do throws(ApplyConflict) {
            result = try ServerSideApply.apply(applied, to: existing, manager: manager, apiVersion: c.type.apiVersion,
                                               subresource: c.info.subresource, force: force, time: timestamp(),
                                               managedFields: entries, listSemantics: { type.listSemantics($0) })
        } catch {
            throw APIError(code: 409, reason: "Conflict", message: error.message,
                           details: ["causes": .array(error.conflicts.map {
                               ["reason": "FieldManagerConflict", "message": .string("conflict with \"\($0.manager)\""), "field": .string($0.field)]
                           })])
        }
        var merged = result.object
        merged["metadata"]?["managedFields"] = .array(result.managedFields.map(\.json))
        return try write(c, name: name, incoming: merged, existing: existing, manager: manager, operation: "Apply",
                         ownershipDone: true)
    }

    func checkTypeMeta(_ object: JSON, _ c: RequestContext) throws {
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            throw APIError.badRequest("\(c.type.kind) in version \"\(c.type.version)\" cannot be handled as a \(c.type.kind): Object 'Kind' is missing in '\(object.serializedString().prefix(200))'")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, apiVersion != c.type.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(c.type.apiVersion))")
        }
        if kind != c.type.kind {
            throw APIError.invalid(c.type, object[path: "metadata", "name"]?.stringValue ?? "", [.invalid("kind", .string(kind), "must be \(c.type.kind)")])
        }
    }

    func checkPrecondition(_ rv: String, _ existing: JSON, _ c: RequestContext, _ name: String) throws {
        guard !rv.isEmpty else { return }
        if rv != existing[path: "metadata", "resourceVersion"]?.stringValue { throw APIError.conflict(c.type, name) }
    }
}
