import KubeJSON

/// Server-side apply (`application/apply-patch+yaml`) and managed-fields bookkeeping, after
/// structured-merge-diff's `Updater`.
///
/// Expected flow for an apply: merge the applied config into the live object; remove what this
/// manager applied last time but dropped now, unless someone else owns it; compare live with the
/// result; fields another manager owns that changed are conflicts (or, with `force`, move to this
/// manager); the manager's Apply entry becomes exactly the applied config's fields.
public enum ServerSideApply {
    /// Server-side apply of `applied` (the manager's full intent) onto `live` (nil when creating).
    ///
    /// Conflicts: fields in the applied config that another manager owns with a DIFFERENT value throw
    /// `ApplyConflict` unless `force` (then ownership moves). The same value gives shared ownership.
    /// Fields this manager owned before but dropped from its config are removed from the object when
    /// no other manager owns them. Maps merge, map lists merge by key, sets union, atomic lists replace.
    /// Like the apiserver, the manager named `kubectl` does not conflict on fields whose live value still
    /// matches the `last-applied-configuration` annotation (the client-side to server-side handover).
    /// Caveats: the caller checks apiVersion/kind/name and refuses `metadata.managedFields` in the body.
    public static func apply(_ applied: JSON, to live: JSON?, manager: String, apiVersion: String, subresource: String?,
                             force: Bool, time: String, managedFields: [ManagedFieldsEntry],
                             listSemantics: (([String]) -> ListSemantics?)?) throws(ApplyConflict) -> (object: JSON, managedFields: [ManagedFieldsEntry]) {
        let me = ManagedFieldsEntry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: time,
                                    subresource: subresource, fields: FieldSet.of(applied, listSemantics: listSemantics))
        let base = live ?? .object(JSONObject())
        var merged = merge(base, applied, names: [], listSemantics: listSemantics)

        // Drop what this manager applied before and no longer applies, unless someone still owns it.
        let previous = managedFields.first { $0.isSameManager(as: me) }?.fields ?? FieldSet()
        let others = managedFields.filter { !$0.isSameManager(as: me) }.reduce(FieldSet()) { $0.union($1.fields) }
        let kept = me.fields.union(others)
        let dropped = previous.subtracting(kept).sortedMembers.filter { path in
            !kept.members.contains { $0.hasPrefix(path) }
        }
        for path in dropped { merged = remove(path, from: merged) }  // parents first: items are found by their keys

        let comparison = FieldSet.compare(from: live, to: merged, listSemantics: listSemantics)
        let changed = comparison.added.union(comparison.modified)
        var found: [(owner: ManagedFieldsEntry, path: FieldPath)] = []
        for entry in managedFields where !entry.isSameManager(as: me) {
            for path in entry.fields.intersection(changed).sortedMembers { found.append((entry, path)) }
        }
        var force = force
        if !found.isEmpty && !force {
            let allowed = clientSideApplyHandover(manager: manager, live: live, listSemantics: listSemantics)
            let remaining = found.filter { !allowed.contains($0.path) }
            guard remaining.isEmpty else { throw ApplyConflict(remaining) }
            force = true
        }

        var entries: [ManagedFieldsEntry] = []
        for var entry in managedFields where !entry.isSameManager(as: me) {
            if force { entry.fields = entry.fields.subtracting(changed) }
            entry.fields = entry.fields.subtracting(comparison.removed)
            if !entry.fields.isEmpty { entries.append(entry) }
        }
        if !me.fields.isEmpty {
            // A no-op apply keeps its old time, so the stored object (and its resourceVersion) stays put.
            var entry = me
            if let before = managedFields.first(where: { $0.isSameManager(as: me) }), before.fields == me.fields,
               before.apiVersion == me.apiVersion, let live, live == merged {
                entry.time = before.time
            }
            entries.append(entry)
        }
        return (merged, ManagedFieldsEntry.sorted(entries))
    }

    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// Fields `kubectl` may take over without a conflict when moving from client-side to server-side
    /// apply: those in the object's last-applied-configuration whose live value still matches it
    /// (the apiserver's `lastAppliedManager`; only for the manager named `kubectl`).
    static func clientSideApplyHandover(manager: String, live: JSON?, listSemantics: (([String]) -> ListSemantics?)?) -> FieldSet {
        guard manager == "kubectl", let live,
              let text = live[path: "metadata", "annotations", lastAppliedAnnotation]?.stringValue,
              let lastApplied = try? JSON.parse(text), case .object = lastApplied else { return FieldSet() }
        let applied = FieldSet.of(lastApplied, listSemantics: listSemantics)
        let drift = FieldSet.compare(from: lastApplied, to: live, listSemantics: listSemantics).modified
        return applied.subtracting(drift)
    }

    /// Apply's structural merge of `config` into `live`.
    static func merge(_ live: JSON, _ config: JSON, names: [String], listSemantics: (([String]) -> ListSemantics?)?) -> JSON {
        switch (live, config) {
        case let (.object(l), .object(c)):
            var out = l
            for (key, value) in c {
                if value.isNull {
                    out.remove(key)
                } else if let old = l[key] {
                    out[key] = merge(old, value, names: names + [key], listSemantics: listSemantics)
                } else {
                    out[key] = value
                }
            }
            return .object(out)
        case let (.array(l), .array(c)) where !names.isEmpty:
            switch listSemantics?(names) ?? .atomic {
            case .atomic:
                return config
            case .set:
                return .array(interleave(l, c, identity: { PathElement.value($0) }) { old, _ in old })
            case .map(let keys):
                return .array(interleave(l, c, identity: { PathElement.key(of: $0, keys: keys) }) { old, new in
                    merge(old, new, names: names, listSemantics: listSemantics)
                })
            }
        default:
            return config
        }
    }

    /// structured-merge-diff's list merge order: walk both lists, keeping live items where they are and
    /// placing new items where the config puts them.
    static func interleave(_ lhs: [JSON], _ rhs: [JSON], identity: (JSON) -> PathElement,
                           combine: (JSON, JSON) -> JSON) -> [JSON] {
        let lKeys = lhs.map(identity), rKeys = rhs.map(identity)
        var lByKey: [PathElement: JSON] = [:]
        for (k, v) in zip(lKeys, lhs) where lByKey[k] == nil { lByKey[k] = v }
        let rSet = Set(rKeys)
        var emitted = Set<PathElement>()
        var out: [JSON] = []
        var li = 0, ri = 0
        func emitRight(_ i: Int) {
            let key = rKeys[i]
            guard emitted.insert(key).inserted else { return }
            out.append(lByKey[key].map { combine($0, rhs[i]) } ?? rhs[i])
        }
        while li < lhs.count || ri < rhs.count {
            if li < lhs.count, ri < rhs.count {
                let lk = lKeys[li]
                if emitted.contains(lk) { li += 1; continue }
                if lk == rKeys[ri] { emitRight(ri); li += 1; ri += 1; continue }
                if !rSet.contains(lk) {
                    emitted.insert(lk)
                    out.append(lhs[li])
                    li += 1
                    continue
                }
                emitRight(ri)
                ri += 1
            } else if li < lhs.count {
                let lk = lKeys[li]
                if emitted.insert(lk).inserted { out.append(lhs[li]) }
                li += 1
            } else {
                emitRight(ri)
                ri += 1
            }
        }
        return out
    }

    /// Removes the node at `path` (a member, a map-list item or a set value) from `value`.
    static func remove(_ path: FieldPath, from value: JSON) -> JSON {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch (first, value) {
        case let (.field(name), .object(o)):
            guard let child = o[name] else { return value }
            var out = o
            if rest.isEmpty { out.remove(name) } else { out[name] = remove(rest, from: child) }
            return .object(out)
        case let (.key(fields), .array(items)):
            let keys = fields.map(\.name)
            var out: [JSON] = []
            for item in items {
                if PathElement.key(of: item, keys: keys) != first {
                    out.append(item)
                } else if !rest.isEmpty {
                    out.append(remove(rest, from: item))
                }
            }
            return .array(out)
        case let (.value(v), .array(items)):
            return rest.isEmpty ? .array(items.filter { $0 != v }) : value
        case let (.index(i), .array(items)) where items.indices.contains(i):
            var out = items
            if rest.isEmpty { out.remove(at: i) } else { out[i] = remove(rest, from: items[i]) }
            return .array(out)
        default:
            return value
        }
    }
}
