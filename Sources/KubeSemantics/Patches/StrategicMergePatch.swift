import KubeJSON

/// Strategic merge patch (`application/strategic-merge-patch+json`), for built-in kinds only (the
/// server answers 415 for custom resources).
///
/// Lists merge according to the Go types' `patchStrategy`/`patchMergeKey` tags, which we keep as a
/// table keyed by member name (`StrategicMergePatch.listStrategy`): containers, volumes, env,
/// volumeMounts and imagePullSecrets by `name`, container ports by `containerPort` (Service ports by
/// `port`), status conditions by `type`, ownerReferences by `uid`, `metadata.finalizers` as a set;
/// every other list is replaced whole. Directives: `$patch: replace|delete|merge` on maps and list
/// items, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`; none of
/// them survives into the result.
public enum StrategicMergePatch {
    /// How a list member merges.
    public enum ListStrategy: Sendable, Equatable {
        case replace
        case mergeByKey(String)
        /// Scalar lists merged as a set (`patchStrategy:"merge"` on `[]string`).
        case mergePrimitives
    }

    /// The strategy for the list at `names` (member names from the root) in an object of `kind`.
    public static func listStrategy(at names: [String], kind: String) -> ListStrategy {
        guard let last = names.last else { return .replace }
        switch last {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "volumeMounts",
             "imagePullSecrets", "resourceClaims":
            return .mergeByKey("name")
        case "volumeDevices": return .mergeByKey("devicePath")
        case "hostAliases": return .mergeByKey("ip")
        case "topologySpreadConstraints": return .mergeByKey("topologyKey")
        case "ports":
            if kind == "Service" { return names == ["spec", "ports"] ? .mergeByKey("port") : .replace }
            return names.contains("containers") || names.contains("initContainers") || names.contains("ephemeralContainers")
                ? .mergeByKey("containerPort") : .replace
        case "conditions":
            return names.first == "status" ? .mergeByKey("type") : .replace
        case "addresses":
            return kind == "Node" && names.first == "status" ? .mergeByKey("type") : .replace
        case "ownerReferences":
            return names.count == 2 && names[0] == "metadata" ? .mergeByKey("uid") : .replace
        case "finalizers":
            return names == ["metadata", "finalizers"] ? .mergePrimitives : .replace
        default:
            return .replace
        }
    }

    /// The same table as server-side apply list semantics, for built-in kinds.
    public static func listSemantics(kind: String) -> @Sendable ([String]) -> ListSemantics? {
        { names in
            switch listStrategy(at: names, kind: kind) {
            case .replace: return .atomic
            case .mergePrimitives: return .set
            case .mergeByKey(let key):
                return key == "containerPort" ? .map(keys: ["containerPort", "protocol"]) : .map(keys: [key])
            }
        }
    }

    public static func apply(_ patch: JSON, to target: JSON, kind: String) throws(PatchError) -> JSON {
        guard case .object(let p) = patch else {
            throw PatchError(message: "strategic merge patch must be a JSON object, found \(patch.typeName)")
        }
        guard let merged = try mergeMap(target.objectValue ?? JSONObject(), p, names: [], kind: kind) else {
            throw PatchError(message: "cannot delete the whole object with $patch: delete")
        }
        return .object(merged)
    }

    private static let patchKey = "$patch"
    private static let retainKeys = "$retainKeys"
    private static let deletePrefix = "$deleteFromPrimitiveList/"
    private static let orderPrefix = "$setElementOrder/"

    private static func isDirective(_ key: String) -> Bool {
        key == patchKey || key == retainKeys || key.hasPrefix(deletePrefix) || key.hasPrefix(orderPrefix)
    }

    /// Merges `patch` into `original`; nil means the map is deleted (`$patch: delete`).
    static func mergeMap(_ original: JSONObject, _ patch: JSONObject, names: [String], kind: String) throws(PatchError) -> JSONObject? {
        switch patch[patchKey]?.stringValue {
        case nil, "merge"?: break
        case "delete"?: return nil
        case "replace"?:
            var replaced = patch
            replaced.remove(patchKey)
            return try mergeMap(JSONObject(), replaced, names: names, kind: kind)
        case let other?:
            throw PatchError(message: "Unknown patch type: \(other) in map: \(JSON.object(patch))")
        }
        var result = original
        if let retain = patch[retainKeys] {
            guard case .array(let keys) = retain else { throw PatchError(message: "$retainKeys must be a list") }
            let allowed = Set(keys.compactMap(\.stringValue))
            for key in patch.keys where !isDirective(key) && !allowed.contains(key) {
                throw PatchError(message: "$retainKeys: key \(key) in the patch is not in the retained list")
            }
            for key in original.keys where !allowed.contains(key) { result.remove(key) }
        }
        var orders: [(String, [JSON])] = []
        for (key, value) in patch {
            if key.hasPrefix(deletePrefix) {
                let field = String(key.dropFirst(deletePrefix.count))
                let doomed = value.arrayValue ?? []
                if case .array(let items)? = result[field] {
                    result[field] = .array(items.filter { !doomed.contains($0) })
                }
            } else if key.hasPrefix(orderPrefix) {
                orders.append((String(key.dropFirst(orderPrefix.count)), value.arrayValue ?? []))
            }
        }
        for (key, value) in patch where !isDirective(key) {
            let childNames = names + [key]
            switch (result[key], value) {
            case (_, .null):
                result.remove(key)
            case let (.object(o)?, .object(p)):
                if let merged = try mergeMap(o, p, names: childNames, kind: kind) { result[key] = .object(merged) } else { result.remove(key) }
            case let (.array(o)?, .array(p)):
                result[key] = .array(try mergeList(o, p, names: childNames, kind: kind))
            case let (_, .object(p)):
                if let merged = try mergeMap(JSONObject(), p, names: childNames, kind: kind) { result[key] = .object(merged) } else { result.remove(key) }
            case let (_, .array(p)):
                result[key] = .array(try mergeList([], p, names: childNames, kind: kind))
            default:
                result[key] = value
            }
        }
        for (field, order) in orders {
            guard case .array(let items)? = result[field] else { continue }
            result[field] = .array(reorder(items, by: order, strategy: listStrategy(at: names + [field], kind: kind)))
        }
        return result
    }

    static func mergeList(_ original: [JSON], _ patch: [JSON], names: [String], kind: String) throws(PatchError) -> [JSON] {
        switch listStrategy(at: names, kind: kind) {
        case .replace:
            var out: [JSON] = []
            for item in patch {
                if case .object(let o) = item {
                    if let cleaned = try mergeMap(JSONObject(), o, names: names, kind: kind) { out.append(.object(cleaned)) }
                } else {
                    out.append(item)
                }
            }
            return out
        case .mergePrimitives:
            var out = original
            for item in patch where !out.contains(item) { out.append(item) }
            return out
        case .mergeByKey(let mergeKey):
            if patch.contains(where: { $0[patchKey]?.stringValue == "replace" }) {
                let rest = patch.filter { $0[patchKey]?.stringValue != "replace" }
                return try mergeList([], rest, names: names, kind: kind)
            }
            var out = original
            for item in patch {
                guard case .object(let p) = item else {
                    throw PatchError(message: "list \(names.joined(separator: ".")) merges by \(mergeKey), found a \(item.typeName) item")
                }
                guard let key = p[mergeKey] else {
                    throw PatchError(message: "map: \(item) does not contain declared merge key: \(mergeKey)")
                }
                let index = out.firstIndex { $0[mergeKey] == key }
                if p[patchKey]?.stringValue == "delete" {
                    out.removeAll { $0[mergeKey] == key }
                    continue
                }
                let base = index.flatMap { out[$0].objectValue } ?? JSONObject()
                guard let merged = try mergeMap(base, p, names: names, kind: kind) else {
                    if let index { out.remove(at: index) }
                    continue
                }
                if let index { out[index] = .object(merged) } else { out.append(.object(merged)) }
            }
            return out
        }
    }

    /// `$setElementOrder`: the listed items take the patch's order; items only the server has keep
    /// their place relative to their neighbours (kubectl sends the order with every list it patches).
    static func reorder(_ items: [JSON], by order: [JSON], strategy: ListStrategy) -> [JSON] {
        func identity(_ item: JSON) -> PathElement {
            if case .mergeByKey(let key) = strategy { return .value(item[key] ?? .null) }
            return .value(item)
        }
        var remaining = items
        var ordered: [JSON] = []
        for id in order.map(identity) {
            if let i = remaining.firstIndex(where: { identity($0) == id }) { ordered.append(remaining.remove(at: i)) }
        }
        return ServerSideApply.interleave(items, ordered, identity: identity) { old, _ in old }
    }
}
