import EvolutionAdmission
import EvolutionAPI
import EvolutionEngine
import KubeJSON

/// Acknowledgments and retry requests arrive as annotations on the Evolution. Who set them is
/// the user Causeway's admission webhook stamped beside them (`AdmissionStamp`); without a
/// stamp that covers the current value, only the field manager that owns the annotation is
/// known — a tool, not a person — and the acknowledgment is unattributed.
enum Annotations {
    struct Acknowledgments {
        var attributed: [Acknowledgment] = []
        /// Not stamped by the webhook (it was down, or not installed); `by` names the field manager.
        var unattributed: [Acknowledgment] = []
    }

    static func acknowledgments(_ evolution: JSON, now: Timestamp, stampKey: StampKey?) -> Acknowledgments {
        let annotations = evolution[path: "metadata", "annotations"]?.objectValue ?? [:]
        var found = Acknowledgments()
        for (key, value) in annotations where key.hasPrefix(AdmissionStamp.ackAnnotationPrefix) {
            let step = String(key.dropFirst(AdmissionStamp.ackAnnotationPrefix.count))
            let owner = manager(of: key, in: evolution)
            let at = owner?.time.flatMap { Timestamp(rfc3339: $0) } ?? now
            if let stamp = verifiedStamp(evolution, AdmissionStamp.ackStamp(for: step), key: stampKey), stamp.value == value.stringValue {
                found.attributed.append(Acknowledgment(step: step, by: stamp.user, at: at))
            } else {
                found.unattributed.append(Acknowledgment(step: step, by: "unattributed (field manager \(owner?.manager ?? "unknown"))", at: at))
            }
        }
        return found
    }

    /// `retry.causeway.dev/step: NAME`; the token is when it was set, so each request is honoured once.
    static func retry(_ evolution: JSON, stampKey: StampKey?) -> RetryRequest? {
        guard let step = evolution[path: "metadata", "annotations", RetryRequest.annotation]?.stringValue, !step.isEmpty else { return nil }
        let owner = manager(of: RetryRequest.annotation, in: evolution)
        let stamp = verifiedStamp(evolution, AdmissionStamp.retryStamp, key: stampKey)
        let by = stamp.flatMap { $0.value == step ? $0.user : nil } ?? "unattributed (field manager \(owner?.manager ?? "unknown"))"
        return RetryRequest(step: step, token: "\(step)@\(owner?.time ?? evolution[path: "metadata", "resourceVersion"]?.stringValue ?? "")",
                            requestedBy: by)
    }

    /// The stamp in `annotation`, when the webhook's key verifies it for this Evolution: one
    /// written by hand (the webhook down or absent) or copied from elsewhere is no stamp.
    static func verifiedStamp(_ evolution: JSON, _ annotation: String, key: StampKey?) -> AdmissionStamp? {
        guard let key, let stamp = evolution[path: "metadata", "annotations", annotation]?.stringValue.flatMap(AdmissionStamp.init(text:)) else { return nil }
        let name = "\(evolution[path: "metadata", "namespace"]?.stringValue ?? "")/\(evolution[path: "metadata", "name"]?.stringValue ?? "")"
        return key.verifies(stamp, evolution: name, annotation: annotation) ? stamp : nil
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
