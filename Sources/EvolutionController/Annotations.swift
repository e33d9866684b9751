import EvolutionAPI
import EvolutionEngine
import KubeJSON

/// Acknowledgments and retry requests arrive as annotations on the Evolution;
/// who set them comes from the managedFields entry that owns the annotation.
enum Annotations {
    static func acknowledgments(_ evolution: JSON, now: Timestamp) -> [Acknowledgment] {
        let prefix = "ack.causeway.dev/"
        return (evolution[path: "metadata", "annotations"]?.objectValue ?? [:]).compactMap { key, _ in
            guard key.hasPrefix(prefix) else { return nil }
            let owner = manager(of: key, in: evolution)
            return Acknowledgment(step: String(key.dropFirst(prefix.count)), by: owner?.manager ?? "unknown",
                                  at: owner?.time.flatMap { Timestamp(rfc3339: $0) } ?? now)
        }
    }

    /// `retry.causeway.dev/step: NAME`; the token is when it was set, so each request is honoured once.
    static func retry(_ evolution: JSON) -> RetryRequest? {
        guard let step = evolution[path: "metadata", "annotations", RetryRequest.annotation]?.stringValue, !step.isEmpty else { return nil }
        let owner = manager(of: RetryRequest.annotation, in: evolution)
        return RetryRequest(step: step, token: "\(step)@\(owner?.time ?? evolution[path: "metadata", "resourceVersion"]?.stringValue ?? "")",
                            requestedBy: owner?.manager ?? "unknown")
    }

    /// The manager (and time) of the managedFields entry owning `metadata.annotations[key]`.
    static func manager(of annotation: String, in object: JSON) -> (manager: String, time: String?)? {
        let field = "f:" + annotation
        let owner = (object[path: "metadata", "managedFields"]?.arrayValue ?? []).last { entry in
            entry["fieldsV1"]?["f:metadata"]?["f:annotations"]?[field] != nil
        }
        return owner.map { ($0["manager"]?.stringValue ?? "unknown", $0["time"]?.stringValue) }
    }

    /// The Evolution as the controller caches it: managedFields cut down to who owns which
    /// annotation (all `manager(of:in:)` reads), since the status entry alone — the
    /// controller's own — grows with every step and target, in every cached Evolution.
    static let cacheShape: @Sendable (JSON) -> JSON = { object in
        guard let entries = object[path: "metadata", "managedFields"]?.arrayValue else { return object }
        var shaped = object
        shaped["metadata"]?["managedFields"] = .array(entries.compactMap { entry -> JSON? in
            guard let annotations = entry["fieldsV1"]?["f:metadata"]?["f:annotations"] else { return nil }
            var kept: JSON = ["fieldsV1": ["f:metadata": ["f:annotations": annotations]]]
            for field in ["manager", "operation", "time", "apiVersion"] { kept[field] = entry[field] }
            return kept
        })
        return shaped
    }
}
