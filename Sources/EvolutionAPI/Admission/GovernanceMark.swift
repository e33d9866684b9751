import KubeJSON

/// What Causeway puts on every object it applies, so that its admission webhook on the target
/// (which cannot see Evolutions) knows the object is governed, by which Evolution, as whom
/// Causeway writes it, and whether it is frozen:
///
/// - label `causeway.dev/governed: "true"`, and `causeway.dev/frozen: "true"` when frozen: the
///   webhook configurations' objectSelectors (journal with failurePolicy Ignore; freeze with Fail);
/// - annotation `causeway.dev/governed-by: {"evolution":"shop/rollout","applier":"system:serviceaccount:shop:deployer","freeze":true,"fields":[["data","mode"],…],"mac":"…"}`.
///
/// `fields` are what the step applied: the path of every value of the manifest (a list is one
/// value, compared whole) and the mark's labels. They say what Causeway applied even after
/// another writer took a field over in managedFields, and the webhook and the controller hash
/// them alike (`valuesHash`) to join a journaled write to the deviation it caused.
/// `mac` (the stamp key, over the object's group, kind, namespace and name and the mark) is what
/// makes it Causeway's: a mark edited, or copied onto another object, does not verify.
public struct GovernanceMark: Sendable, Hashable {
    public static let label = "causeway.dev/governed"
    public static let frozenLabel = "causeway.dev/frozen"
    public static let annotation = "causeway.dev/governed-by"
    /// Set (or changed) by a write to a frozen object to let it through; recorded in the journal.
    public static let breakGlassAnnotation = "causeway.dev/break-glass"

    /// `namespace/name` of the Evolution.
    public var evolution: String
    /// The user Causeway writes the object as on its target (the impersonated account, or whom
    /// the target's kubeconfig authenticates as): the one writer a freeze lets through.
    public var applier: String
    public var freeze: Bool
    /// The paths (segments) of what the step applied.
    public var fields: [[String]]
    public var mac: String?

    public init(evolution: String, applier: String, freeze: Bool, fields: [[String]] = [], mac: String? = nil) {
        self.evolution = evolution
        self.applier = applier
        self.freeze = freeze
        self.fields = fields
        self.mac = mac
    }

    /// The mark for `manifest` as a step applies it.
    public init(evolution: String, applier: String, freeze: Bool, applying manifest: JSON) {
        self.init(evolution: evolution, applier: applier, freeze: freeze, fields: Self.appliedPaths(of: manifest, freeze: freeze))
    }

    private var fieldsJSON: JSON { .array(fields.map { .array($0.map(JSON.string)) }) }

    /// What the MAC covers: the object (any API version of it) and the mark.
    public func signedText(object: ObjectReference) -> String {
        (["group": .string(object.group), "kind": .string(object.kind), "namespace": .string(object.namespace ?? ""),
          "name": .string(object.name), "evolution": .string(evolution), "applier": .string(applier), "freeze": .bool(freeze),
          "fields": fieldsJSON] as JSON)
            .serializedString()
    }

    public var text: String {
        var o: JSONObject = ["evolution": .string(evolution), "applier": .string(applier), "freeze": .bool(freeze), "fields": fieldsJSON]
        if let mac { o["mac"] = .string(mac) }
        return JSON.object(o).serializedString()
    }

    public init?(text: String) {
        guard let json = try? JSON.parse(Array(text.utf8)), let evolution = json["evolution"]?.stringValue,
              let applier = json["applier"]?.stringValue else { return nil }
        let fields = (json["fields"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
        self.init(evolution: evolution, applier: applier, freeze: json["freeze"]?.boolValue ?? false, fields: fields, mac: json["mac"]?.stringValue)
    }

    /// Every value `manifest` sets, by path (a list is one value), but its identity (apiVersion,
    /// kind, name, namespace), and the mark's own labels.
    static func appliedPaths(of manifest: JSON, freeze: Bool) -> [[String]] {
        var paths: [[String]] = []
        func walk(_ node: JSON, _ path: [String]) {
            guard case .object(let members) = node, !members.isEmpty || path.isEmpty else { paths.append(path); return }
            for (key, value) in members {
                let next = path + [key]
                if next == ["apiVersion"] || next == ["kind"] || next == ["metadata", "name"] || next == ["metadata", "namespace"] { continue }
                walk(value, next)
            }
        }
        walk(manifest, [])
        paths.append(["metadata", "labels", label])
        if freeze { paths.append(["metadata", "labels", frozenLabel]) }
        return paths
    }

    /// The value at `path` in `object`, nil when absent.
    static func value(at path: [String], in object: JSON) -> JSON? {
        var node = object
        for segment in path {
            guard let next = node[segment] else { return nil }
            node = next
        }
        return node
    }

    /// A hash of what `object` holds at the mark's fields (absent ones as null): the same on both
    /// sides of a journaled write, so the entry of the write that left the live values is found.
    /// 14 hex digits: with its `#`, a compacted mark fits a small string, which a watch cache of
    /// many marked objects keeps without an allocation each.
    public func valuesHash(of object: JSON) -> String {
        String(ContentHash.of(.array(fields.map { Self.value(at: $0, in: object) ?? .null })).prefix(14))
    }

    /// What a watch cache keeps of an object's mark: `#` and its `valuesHash` (all the controller
    /// reads of it, as `joinHash`), not the mark; the object unchanged when it has none. Idempotent.
    public static func compacted(_ object: JSON) -> JSON {
        guard let text = object[path: "metadata", "annotations", annotation]?.stringValue, !text.hasPrefix("#"),
              let mark = GovernanceMark(text: text) else { return object }
        var shaped = object
        shaped["metadata"]?["annotations"]?[annotation] = .string("#" + mark.valuesHash(of: object))
        return shaped
    }

    /// `valuesHash` of the object by its own mark, whether the mark is whole or `compacted`; nil without one.
    public static func joinHash(of object: JSON) -> String? {
        guard let text = object[path: "metadata", "annotations", annotation]?.stringValue else { return nil }
        if text.hasPrefix("#") { return String(text.dropFirst()) }
        return GovernanceMark(text: text)?.valuesHash(of: object)
    }

    /// The mark's fields whose values differ between `old` and `new`, as `.data.mode`.
    public func changedFields(from old: JSON, to new: JSON) -> [String] {
        fields.filter { Self.value(at: $0, in: old) != Self.value(at: $0, in: new) }.map { "." + $0.joined(separator: ".") }
    }

    /// The mark an object carries (not yet verified), or nil.
    public static func read(from object: JSON?) -> GovernanceMark? {
        object?[path: "metadata", "annotations", annotation]?.stringValue.flatMap(GovernanceMark.init(text:))
    }

    /// The manifest with the label and this mark added.
    public func placed(on manifest: JSON) -> JSON {
        var object = manifest
        var metadata = object["metadata"]?.objectValue ?? JSONObject()
        var labels = metadata["labels"]?.objectValue ?? JSONObject()
        labels[Self.label] = "true"
        if freeze { labels[Self.frozenLabel] = "true" }
        var annotations = metadata["annotations"]?.objectValue ?? JSONObject()
        annotations[Self.annotation] = .string(text)
        metadata["labels"] = .object(labels)
        metadata["annotations"] = .object(annotations)
        object["metadata"] = .object(metadata)
        return object
    }
}
