import EvolutionAPI
import Foundation
import KubeJSON

/// The mutating admission decision for Evolutions: every acknowledgment or retry request a
/// write adds or changes is stamped with the user the API server authenticated, and stamps the
/// write set or changed itself are put back as they were. A pure function of the
/// AdmissionReview's `request`; the answer is the `response` without its `uid`.
public enum AckStamping {
    public static func response(to request: JSON, key stampKey: StampKey) -> JSON {
        guard request[path: "kind", "kind"] == "Evolution", request["subResource"] == nil || request["subResource"] == .null,
              request["operation"] == "CREATE" || request["operation"] == "UPDATE" else { return ["allowed": true] }
        let new = annotations(request["object"]), old = annotations(request["oldObject"])
        let user = request[path: "userInfo", "username"]?.stringValue ?? ""
        let groups = (request[path: "userInfo", "groups"]?.arrayValue ?? []).compactMap(\.stringValue)
        let evolution = "\(request["namespace"]?.stringValue ?? "")/\(request["name"]?.stringValue ?? "")"
        func stamp(_ value: String, _ annotation: String) -> String {
            stampKey.sign(AdmissionStamp(user: user, groups: groups, value: value), evolution: evolution, annotation: annotation).text
        }

        var desired = new
        // Stamps are the webhook's alone: what the request did to them is undone.
        for key in Set(new.keys).union(old.keys) where AdmissionStamp.isStamp(key) { desired[key] = old[key] }
        for (key, value) in new where key.hasPrefix(AdmissionStamp.ackAnnotationPrefix) && old[key] != value {
            let annotation = AdmissionStamp.ackStamp(for: String(key.dropFirst(AdmissionStamp.ackAnnotationPrefix.count)))
            desired[annotation] = stamp(value, annotation)
        }
        // An acknowledgment taken back takes its stamp with it.
        for key in desired.keys where key.hasPrefix(AdmissionStamp.ackStampPrefix) {
            let step = String(key.dropFirst(AdmissionStamp.ackStampPrefix.count))
            if new[AdmissionStamp.ackAnnotationPrefix + step] == nil { desired[key] = nil }
        }
        if let retry = new[AdmissionStamp.retryAnnotation], retry != old[AdmissionStamp.retryAnnotation] {
            desired[AdmissionStamp.retryStamp] = stamp(retry, AdmissionStamp.retryStamp)
        }
        if new[AdmissionStamp.retryAnnotation] == nil { desired[AdmissionStamp.retryStamp] = nil }
        guard desired != new else { return ["allowed": true] }

        let value = JSON.object(JSONObject(desired.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) }))
        let hadAnnotations = request[path: "object", "metadata", "annotations"]?.objectValue != nil
        let patch: JSON = [["op": .string(hadAnnotations ? "replace" : "add"), "path": "/metadata/annotations", "value": value]]
        return ["allowed": true, "patchType": "JSONPatch", "patch": .string(Data(patch.serialized()).base64EncodedString())]
    }

    static func annotations(_ object: JSON?) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object?[path: "metadata", "annotations"]?.objectValue ?? JSONObject() { out[key] = value.stringValue }
        return out
    }
}
