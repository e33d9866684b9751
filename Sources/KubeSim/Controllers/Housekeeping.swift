import Foundation
import KubeJSON
import KubeSemantics

/// What a real cluster's kube-controller-manager and apiextensions controller
/// do after writes: CRDs become served resources, terminating namespaces empty
/// out, dependents of deleted owners are collected, workloads roll out.
extension APIServer {
    static let crdType = TypeKey(group: "apiextensions.k8s.io", plural: "customresourcedefinitions")
    static let namespaceType = TypeKey(group: "", plural: "namespaces")

    func afterWrite(_ type: ResourceType, _ object: JSON) {
        if type.key == Self.crdType { registerCRD(object) }
        if type.key == Self.namespaceType, options.namespaceController, object[path: "metadata", "deletionTimestamp"] != nil {
            drainNamespace(object[path: "metadata", "name"]?.stringValue ?? "")
        } else if type.key == Self.namespaceType {
            ensureDefaultServiceAccount(namespace: object[path: "metadata", "name"]?.stringValue ?? "")
        }
        if options.garbageCollector, object[path: "metadata", "deletionTimestamp"] != nil {
            collectForOwner(type, object)
        }
        simulation.objectWritten(type, object)
    }

    func afterRemoval(_ type: ResourceType, _ object: JSON) {
        if type.key == Self.crdType, let group = object[path: "spec", "group"]?.stringValue,
           let plural = object[path: "spec", "names", "plural"]?.stringValue {
            store.unregister(TypeKey(group: group, plural: plural))
        }
        if options.garbageCollector, let uid = object[path: "metadata", "uid"]?.stringValue {
            for (depType, dependent) in dependents(of: uid) { deleteOwned(depType, dependent, ownerUID: uid) }
        }
        if options.namespaceController, let ns = object[path: "metadata", "namespace"]?.stringValue,
           store.get(Self.namespaceType, namespace: nil, name: ns)?[path: "metadata", "deletionTimestamp"] != nil {
            drainNamespace(ns)
        }
    }

    // MARK: CRDs

    func registerCRD(_ crd: JSON) {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
              let names = spec["names"], let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue,
              let version = (spec["versions"]?.arrayValue ?? []).first(where: { $0["served"]?.boolValue ?? true }),
              let versionName = version["name"]?.stringValue else { return }
        if crd[path: "metadata", "deletionTimestamp"] != nil { return }
        let columns: [PrinterColumn] = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap {
            guard let n = $0["name"]?.stringValue, let p = $0["jsonPath"]?.stringValue else { return nil }
            return PrinterColumn(name: n, type: $0["type"]?.stringValue ?? "string", jsonPath: p,
                                 priority: $0["priority"]?.intValue ?? 0, description: $0["description"]?.stringValue)
        }
        store.register(ResourceType(
            group: group, version: versionName, plural: plural, singular: names["singular"]?.stringValue ?? kind.lowercased(),
            kind: kind, namespaced: spec["scope"]?.stringValue != "Cluster",
            shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
            categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
            hasStatus: version[path: "subresources", "status"] != nil, isCustom: true, tracksGeneration: true,
            schema: version[path: "schema", "openAPIV3Schema"],
            structuralSchema: version[path: "schema", "openAPIV3Schema"].flatMap { try? StructuralSchema($0) },
            printerColumns: columns,
            crdName: crd[path: "metadata", "name"]?.stringValue))
        // The apiextensions controller then reports the names accepted and the API established.
        let conditions = crd[path: "status", "conditions"]?.arrayValue ?? []
        if !conditions.contains(where: { $0["type"] == "Established" }), let name = crd[path: "metadata", "name"]?.stringValue {
            var updated = crd
            let now = timestamp()
            updated["status"] = [
                "conditions": [
                    ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": .string(now)],
                    ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": .string(now)],
                ],
                "acceptedNames": names, "storedVersions": [.string(versionName)],
            ]
            store.put(Self.crdType, namespace: nil, name: name, updated)
        }
    }

    /// A CRD's name must be plural.group (KUBE-API.md §6).
    func validateCRD(_ crd: JSON) -> String? {
        let plural = crd[path: "spec", "names", "plural"]?.stringValue ?? ""
        let group = crd[path: "spec", "group"]?.stringValue ?? ""
        let name = crd[path: "metadata", "name"]?.stringValue ?? ""
        return name == "\(plural).\(group)" ? nil : "must be spec.names.plural+\".\"+spec.group"
    }

    // MARK: Namespaces

    /// Deletes what a terminating namespace holds; when nothing is left, the namespace goes.
    func drainNamespace(_ namespace: String) {
        guard let ns = store.get(Self.namespaceType, namespace: nil, name: namespace) else { return }
        var remaining = 0
        for (key, type) in store.types where type.namespaced && store.views[key] == nil {
            for (_, object) in store.list(key, namespace: namespace) {
                remaining += 1
                guard object[path: "metadata", "deletionTimestamp"] == nil else { continue }
                markOrRemove(type, object)
            }
        }
        if remaining == 0 || store.types.values.filter(\.namespaced).allSatisfy({ store.isEmpty($0.key, namespace: namespace) }) {
            store.remove(Self.namespaceType, namespace: nil, name: namespace, lastState: ns)
        }
    }

    /// Deletion as a client's DELETE would do it: marked when finalizers hold it, removed otherwise.
    func markOrRemove(_ type: ResourceType, _ object: JSON) {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let ns = type.namespaced ? object[path: "metadata", "namespace"]?.stringValue : nil
        if (object[path: "metadata", "finalizers"]?.arrayValue ?? []).isEmpty {
            store.remove(type.key, namespace: ns, name: name, lastState: object)
            afterRemoval(type, object)
        } else {
            var marked = object
            marked["metadata"]?["deletionTimestamp"] = .string(timestamp())
            marked["metadata"]?["deletionGracePeriodSeconds"] = 0
            if let g = object[path: "metadata", "generation"]?.intValue { marked["metadata"]?["generation"] = .int(g + 1) }
            let stored = store.put(type.key, namespace: ns, name: name, marked)
            afterWrite(type, stored)
        }
    }

    // MARK: Garbage collection

    func dependents(of uid: String) -> [(ResourceType, JSON)] {
        store.dependents(of: uid).compactMap { key, object in store.types[key].map { ($0, object) } }
    }

    /// Background collection: a dependent whose owners are all gone is deleted.
    private func deleteOwned(_ type: ResourceType, _ dependent: JSON, ownerUID: String) {
        let owners = (dependent[path: "metadata", "ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
        let alive = owners.contains { uid in uid != ownerUID && store.exists(uid: uid) }
        if !alive, dependent[path: "metadata", "deletionTimestamp"] == nil { markOrRemove(type, dependent) }
    }

    /// Foreground deletion waits for dependents; orphaning strips their owner references. Then the finalizer goes.
    private func collectForOwner(_ type: ResourceType, _ owner: JSON) {
        let finalizers = (owner[path: "metadata", "finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard let uid = owner[path: "metadata", "uid"]?.stringValue else { return }
        var remove: String?
        if finalizers.contains("orphan") {
            for (depType, dependent) in dependents(of: uid) {
                var freed = dependent
                freed["metadata"]?["ownerReferences"] = .array((dependent[path: "metadata", "ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid })
                store.put(depType.key, namespace: depType.namespaced ? dependent[path: "metadata", "namespace"]?.stringValue : nil,
                          name: dependent[path: "metadata", "name"]?.stringValue ?? "", freed)
            }
            remove = "orphan"
        } else if finalizers.contains("foregroundDeletion") {
            let deps = dependents(of: uid)
            for (depType, dependent) in deps where dependent[path: "metadata", "deletionTimestamp"] == nil { markOrRemove(depType, dependent) }
            if dependents(of: uid).isEmpty { remove = "foregroundDeletion" }
        }
        guard let remove else { return }
        let name = owner[path: "metadata", "name"]?.stringValue ?? ""
        let ns = type.namespaced ? owner[path: "metadata", "namespace"]?.stringValue : nil
        let rest = finalizers.filter { $0 != remove }
        if rest.isEmpty {
            store.remove(type.key, namespace: ns, name: name, lastState: owner)
            afterRemoval(type, owner)
        } else {
            var updated = owner
            updated["metadata"]?["finalizers"] = .array(rest.map { .string($0) })
            store.put(type.key, namespace: ns, name: name, updated)
        }
    }
}
