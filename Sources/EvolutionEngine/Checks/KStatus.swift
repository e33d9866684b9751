import EvolutionAPI
import KubeJSON

/// The `current` check: kstatus' rules for whether an object is "Current"
/// (its controller caught up and reports it ready), "InProgress" or "Failed".
///
/// Caveat, on purpose stricter than kstatus: a custom resource that publishes
/// neither `status.observedGeneration` nor conditions is *not* current merely
/// because it exists. Nothing it says shows that its controller absorbed the
/// change, and counting existence as convergence is exactly the false
/// positive the essay's incident lived on.
public enum KStatus {
    public static func evaluate(_ object: JSON?, key: ObjectKey) -> CheckOutcome {
        let what = "\(key.kind) \(key.name)"
        guard let object else { return .waiting("\(what) not found") }
        if object[path: "metadata", "deletionTimestamp"] != nil { return .waiting("\(what) is being deleted") }
        let generation = object[path: "metadata", "generation"]?.intValue
        let observed = object[path: "status", "observedGeneration"]?.intValue
        let builtIn = ReadinessCatalog.knowsReadiness(of: key)
        let conditions = Conditions(object)

        // A controller that has not seen the latest spec says nothing about it.
        if let generation, let observed, observed < generation {
            return .waiting("\(what): observedGeneration \(observed) < generation \(generation)")
        }
        switch (key.group, key.kind) {
        case ("apps", "Deployment"): return deployment(object, what, observed, conditions)
        case ("apps", "StatefulSet"): return statefulSet(object, what, observed)
        case ("apps", "DaemonSet"): return daemonSet(object, what, observed)
        case ("apps", "ReplicaSet"): return replicaSet(object, what, observed)
        case ("batch", "Job"): return job(what, conditions)
        case ("", "Pod"): return pod(object, what, conditions)
        case ("", "PersistentVolumeClaim"):
            let phase = object[path: "status", "phase"]?.stringValue ?? "Pending"
            return phase == "Bound" ? .holds : .waiting("\(what): phase \(phase), not Bound")
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            return conditions.status("Established") == "True" ? .holds : .waiting("\(what): not Established")
        default: break
        }
        // Generic rules (kstatus): Stalled=True fails; Reconciling=True or Ready≠True waits.
        if conditions.status("Stalled") == "True" {
            return .failed("\(what): Stalled: \(conditions.explain("Stalled"))")
        }
        if conditions.status("Reconciling") == "True" {
            return .waiting("\(what): Reconciling: \(conditions.explain("Reconciling"))")
        }
        if let ready = conditions.status("Ready"), ready != "True" {
            return .waiting("\(what): Ready is \(ready): \(conditions.explain("Ready"))")
        }
        if !builtIn, observed == nil, conditions.isEmpty {
            return .waiting("\(what) publishes neither status.observedGeneration nor conditions, so existing proves nothing; declare a jsonPath or condition check for it")
        }
        if !builtIn, observed == nil, generation != nil, conditions.status("Ready") == nil {
            return .waiting("\(what): no status.observedGeneration and no Ready condition yet")
        }
        return .holds
    }
}

/// `status.conditions` by type.
struct Conditions {
    let items: [JSON]
    init(_ object: JSON) { items = object[path: "status", "conditions"]?.arrayValue ?? [] }
    var isEmpty: Bool { items.isEmpty }
    func find(_ type: String) -> JSON? { items.first { $0["type"]?.stringValue == type } }
    func status(_ type: String) -> String? { find(type)?["status"]?.stringValue }
    func reason(_ type: String) -> String { find(type)?["reason"]?.stringValue ?? "" }
    func message(_ type: String) -> String { find(type)?["message"]?.stringValue ?? "" }
    func explain(_ type: String) -> String {
        let parts = [reason(type), message(type)].filter { !$0.isEmpty }
        return parts.isEmpty ? "no reason given" : parts.joined(separator: ": ")
    }
}
