import KubeJSON

/// What Causeway puts on every object it applies, so that its admission webhook on the target
/// (which cannot see Evolutions) knows the object is governed, by which Evolution, as whom
/// Causeway writes it, and whether it is frozen:
///
/// - label `causeway.dev/governed: "true"`, and `causeway.dev/frozen: "true"` when frozen: the
///   webhook configurations' objectSelectors (journal with failurePolicy Ignore; freeze with Fail);
/// - annotation `causeway.dev/governed-by: {"evolution":"shop/rollout","applier":"system:serviceaccount:shop:deployer","freeze":true,"mac":"…"}`.
///
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
    public var mac: String?

    public init(evolution: String, applier: String, freeze: Bool, mac: String? = nil) {
        self.evolution = evolution
        self.applier = applier
        self.freeze = freeze
        self.mac = mac
    }

    /// What the MAC covers: the object (any API version of it) and the mark.
    public func signedText(object: ObjectReference) -> String {
        (["group": .string(object.group), "kind": .string(object.kind), "namespace": .string(object.namespace ?? ""),
          "name": .string(object.name), "evolution": .string(evolution), "applier": .string(applier), "freeze": .bool(freeze)] as JSON)
            .serializedString()
    }

    public var text: String {
        var o: JSONObject = ["evolution": .string(evolution), "applier": .string(applier), "freeze": .bool(freeze)]
        if let mac { o["mac"] = .string(mac) }
        return JSON.object(o).serializedString()
    }

    public init?(text: String) {
        guard let json = try? JSON.parse(Array(text.utf8)), let evolution = json["evolution"]?.stringValue,
              let applier = json["applier"]?.stringValue else { return nil }
        self.init(evolution: evolution, applier: applier, freeze: json["freeze"]?.boolValue ?? false, mac: json["mac"]?.stringValue)
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
