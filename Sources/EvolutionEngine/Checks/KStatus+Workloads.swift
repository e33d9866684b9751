import EvolutionAPI
import KubeJSON

// kstatus rules for the built-in workload kinds: a rollout is complete when
// the controller observed the latest spec and every replica is updated and
// available (ready, scheduled, complete: each kind says it its own way).

extension KStatus {
    static func int(_ object: JSON, _ keys: String...) -> Int64? {
        var v: JSON? = object
        for k in keys { v = v?[k] }
        return v?.intValue
    }

    static func deployment(_ o: JSON, _ what: String, _ observed: Int64?, _ c: Conditions) -> CheckOutcome {
        if c.status("Progressing") == "False", c.reason("Progressing") == "ProgressDeadlineExceeded" {
            return .failed("\(what): ProgressDeadlineExceeded: \(c.message("Progressing"))")
        }
        guard observed != nil else { return .waiting("\(what): rollout not observed yet (no status.observedGeneration)") }
        let desired = int(o, "spec", "replicas") ?? 1
        let updated = int(o, "status", "updatedReplicas") ?? 0
        let total = int(o, "status", "replicas") ?? 0
        let available = int(o, "status", "availableReplicas") ?? 0
        if updated < desired { return .waiting("\(what): updatedReplicas \(updated)/\(desired)") }
        if total > updated { return .waiting("\(what): \(total - updated) old replicas pending termination") }
        if available < updated { return .waiting("\(what): availableReplicas \(available)/\(updated)") }
        return .holds
    }

    static func statefulSet(_ o: JSON, _ what: String, _ observed: Int64?) -> CheckOutcome {
        guard observed != nil else { return .waiting("\(what): not observed yet (no status.observedGeneration)") }
        if o[path: "spec", "updateStrategy", "type"]?.stringValue == "OnDelete" { return .holds }
        let desired = int(o, "spec", "replicas") ?? 1
        let ready = int(o, "status", "readyReplicas") ?? 0
        if ready < desired { return .waiting("\(what): readyReplicas \(ready)/\(desired)") }
        let partition = int(o, "spec", "updateStrategy", "rollingUpdate", "partition") ?? 0
        let updated = int(o, "status", "updatedReplicas") ?? 0
        if partition > 0 {
            return updated < desired - partition ? .waiting("\(what): updatedReplicas \(updated)/\(desired - partition) (partition \(partition))") : .holds
        }
        let current = int(o, "status", "currentReplicas") ?? 0
        if current < desired { return .waiting("\(what): currentReplicas \(current)/\(desired)") }
        let currentRevision = o[path: "status", "currentRevision"]?.stringValue
        let updateRevision = o[path: "status", "updateRevision"]?.stringValue
        if currentRevision != updateRevision { return .waiting("\(what): revision \(updateRevision ?? "?") still rolling out") }
        return .holds
    }

    static func daemonSet(_ o: JSON, _ what: String, _ observed: Int64?) -> CheckOutcome {
        guard observed != nil else { return .waiting("\(what): not observed yet (no status.observedGeneration)") }
        let desired = int(o, "status", "desiredNumberScheduled") ?? 0
        let updated = int(o, "status", "updatedNumberScheduled") ?? 0
        let available = int(o, "status", "numberAvailable") ?? 0
        if updated < desired { return .waiting("\(what): updatedNumberScheduled \(updated)/\(desired)") }
        if available < desired { return .waiting("\(what): numberAvailable \(available)/\(desired)") }
        return .holds
    }

    static func replicaSet(_ o: JSON, _ what: String, _ observed: Int64?) -> CheckOutcome {
        guard observed != nil else { return .waiting("\(what): not observed yet (no status.observedGeneration)") }
        let desired = int(o, "spec", "replicas") ?? 1
        let available = int(o, "status", "availableReplicas") ?? 0
        return available < desired ? .waiting("\(what): availableReplicas \(available)/\(desired)") : .holds
    }

    static func job(_ what: String, _ c: Conditions) -> CheckOutcome {
        if c.status("Failed") == "True" { return .failed("\(what): Failed: \(c.explain("Failed"))") }
        if c.status("Complete") == "True" { return .holds }
        return .waiting("\(what): not Complete yet")
    }

    static func pod(_ o: JSON, _ what: String, _ c: Conditions) -> CheckOutcome {
        switch o[path: "status", "phase"]?.stringValue {
        case "Succeeded": return .holds
        case "Failed": return .failed("\(what): phase Failed")
        default: return c.status("Ready") == "True" ? .holds : .waiting("\(what): not Ready")
        }
    }
}
