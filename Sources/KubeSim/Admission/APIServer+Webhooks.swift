import Foundation
import KubeJSON
import KubeSemantics
import Synchronization

/// Where a write stands in admission: after mutating webhooks may change it, after validation
/// when validating webhooks judge it. The orchestrator passes one to each replay of a request.
struct AdmissionStage: Sendable {
    enum Point: Sendable { case mutating, validating }
    /// The name a `generateName` create got in the first replay, kept by the later ones.
    let names: GeneratedName
    /// Given the point reached and the request's attributes there, the object to go on with;
    /// throws `AdmissionStop` to end this replay of the request at that point.
    let reach: @Sendable (Point, AdmissionAttributes) throws -> JSON
}

final class GeneratedName: Sendable {
    private let name = Mutex<String?>(nil)
    /// The name made the first time, whatever `make` would make now.
    func get(orMake make: () -> String) -> String {
        name.withLock { current in
            if let current { return current }
            let made = make()
            current = made
            return made
        }
    }
}

/// Ends a replay of a request at an admission point; not an API error.
struct AdmissionStop: Error {}

extension AdmissionAttributes {
    init(_ c: RequestContext, name: String, object: JSON, existing: JSON?, operation: String) {
        let type = c.type
        self.init(operation: operation == "Delete" ? "DELETE" : existing == nil ? "CREATE" : "UPDATE",
                  group: type.group, version: type.version, resource: type.plural, subresource: c.info.subresource, kind: type.kind,
                  namespace: c.namespace, name: name, user: c.user, object: object, oldObject: existing, dryRun: c.dryRun,
                  fieldManager: c.fieldManager, patch: c.info.verb == "patch")
    }
}

extension APIServer {
    static let webhookTypes = (mutating: TypeKey(group: "admissionregistration.k8s.io", plural: "mutatingwebhookconfigurations"),
                               validating: TypeKey(group: "admissionregistration.k8s.io", plural: "validatingwebhookconfigurations"))

    /// Whether any webhook configuration exists (cheap; callers hold the lock).
    var hasWebhooks: Bool { !store.list(Self.webhookTypes.mutating, namespace: nil).isEmpty || !store.list(Self.webhookTypes.validating, namespace: nil).isEmpty }

    /// The webhooks of `kind` called for these attributes, in configuration-name then list order.
    func webhooks(_ kind: AdmissionWebhook.Kind, for a: AdmissionAttributes) -> [AdmissionWebhook] {
        // Webhook configurations themselves are never sent to webhooks: one that is down could not be removed.
        if a.group == "admissionregistration.k8s.io" { return [] }
        let key = kind == .mutating ? Self.webhookTypes.mutating : Self.webhookTypes.validating
        // Sorted by key, which is the configuration's name for cluster-scoped objects.
        let configurations = store.list(key, namespace: nil).map(\.object)
        // A namespaced object is matched on its namespace's labels; a Namespace on its own; other cluster objects always.
        var namespaceLabels: [String: String]?
        let labelSource: JSON? = a.resource == "namespaces" ? (a.object.isNull ? a.oldObject : a.object)
            : a.namespace.flatMap { store.get(TypeKey(group: "", plural: "namespaces"), namespace: nil, name: $0) }
        if let labelSource {
            namespaceLabels = [:]
            for (k, v) in labelSource[path: "metadata", "labels"]?.objectValue ?? JSONObject() { namespaceLabels?[k] = v.stringValue }
        }
        return configurations.flatMap { AdmissionWebhook.all(in: $0, kind: kind, endpoints: options.serviceEndpoints) }
            .filter { $0.applies(to: a, namespaceLabels: namespaceLabels) }
    }

    /// A write with admission webhooks, as the real server runs it: the object reaches the
    /// mutating webhooks (in order, each seeing the last one's patch), then validation, then the
    /// validating webhooks, then storage. Webhooks are called without holding the server's lock,
    /// so each stage replays the request under it; if the stored object moved meanwhile, admission
    /// starts over (as the real server's optimistic update does), at most three times.
    func handleAdmitted(_ request: APIRequest, caller: WebhookCaller, sink: @escaping () -> WatchSink) async -> APIResponse {
        // A delete of a whole collection is not replayed (each replay would delete more); it runs as is.
        if RequestInfo.parse(method: request.method, path: request.path, watchParameter: request.isWatch)?.verb == "deletecollection" {
            return handle(request, sink: sink)
        }
        for _ in 0..<3 {
            let names = GeneratedName()
            // 1. Up to the mutating point: the object the mutating webhooks see.
            let first = Mutex<(AdmissionAttributes, [AdmissionWebhook])?>(nil)
            let stage1 = AdmissionStage(names: names) { point, attributes in
                first.withLock { $0 = (attributes, self.webhooks(.mutating, for: attributes)) }
                throw AdmissionStop()
            }
            if let response = replay(request, stage1) { return response }
            guard let (attributes, mutating) = first.withLock({ $0 }) else { return render(.internalError("admission did not run")) }
            var object = attributes.object
            for hook in mutating {
                var seen = attributes
                seen.object = object
                switch await caller.call(hook, seen) {
                case .denied(let error): return render(error)
                case .allowed(let patch?):
                    do { object = try JSONPatch.apply(patch, to: object) } catch {
                        return render(APIError(code: 500, reason: "InternalError",
                                               message: "Internal error occurred: failed calling webhook \"\(hook.name)\": the patch does not apply: \(error)"))
                    }
                case .allowed(nil): break
                }
            }
            // 2. With the mutations, up to the validating point: what validating webhooks judge.
            let version = attributes.oldObject?[path: "metadata", "resourceVersion"]
            let moved = Mutex(false)
            let second = Mutex<(AdmissionAttributes, [AdmissionWebhook])?>(nil)
            let mutated = object
            let stage2 = AdmissionStage(names: names) { point, attributes in
                if point == .mutating {
                    if attributes.oldObject?[path: "metadata", "resourceVersion"] != version { moved.withLock { $0 = true }; throw AdmissionStop() }
                    return attributes.operation == "DELETE" ? attributes.object : mutated
                }
                second.withLock { $0 = (attributes, self.webhooks(.validating, for: attributes)) }
                throw AdmissionStop()
            }
            if let response = replay(request, stage2) { return response }
            if moved.withLock({ $0 }) { continue }
            guard let (judged, validating) = second.withLock({ $0 }) else { return render(.internalError("admission did not run")) }
            for hook in validating {
                if case .denied(let error) = await caller.call(hook, judged) { return render(error) }
            }
            // 3. Store what was judged, unless the object moved meanwhile.
            let stage3 = AdmissionStage(names: names) { point, attributes in
                if point == .mutating {
                    if attributes.oldObject?[path: "metadata", "resourceVersion"] != version { moved.withLock { $0 = true }; throw AdmissionStop() }
                    return attributes.operation == "DELETE" ? attributes.object : mutated
                }
                return attributes.object
            }
            if let response = replay(request, stage3, sink: sink) { return response }
            if moved.withLock({ $0 }) { continue }
            return render(.internalError("admission did not complete"))
        }
        return render(APIError(code: 409, reason: "Conflict", message: "the object kept changing during admission; try again"))
    }

    /// Runs the request under the lock with `stage`; nil when the stage stopped it.
    private func replay(_ request: APIRequest, _ stage: AdmissionStage, sink: @escaping () -> WatchSink = { fatalError("no watch in admission") }) -> APIResponse? {
        lock.lock()
        defer { lock.unlock() }
        let user: SimUser
        switch authenticate(request) {
        case .failure(let e): return render(e)
        case .success(let u): user = u
        }
        let response: APIResponse
        do { response = try route(request, user: user, admission: stage, sink: sink) } catch is AdmissionStop {
            return nil
        } catch let e as APIError {
            response = render(e)
        } catch {
            response = render(.internalError("\(error)"))
        }
        if options.recordRequests { record(request, requester: user.name, response: response) }
        return response
    }
}
