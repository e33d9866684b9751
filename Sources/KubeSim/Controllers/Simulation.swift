import Foundation
import KubeJSON

/// Simulated workload controllers, per server instance (one region each).
public struct SimulationOptions: Sendable {
    /// How long a Deployment takes to roll out.
    public var rolloutDuration: Duration = .milliseconds(200)
    /// Kinds whose status catches up with their spec after a delay: how a slow region is played.
    public var propagation: [PropagationRule] = []
    /// Every Deployment rollout here fails, as in a region whose nodes cannot pull the image.
    public var failRollouts = false

    public init() {}

    /// A Deployment fails its rollout (Progressing=False, ProgressDeadlineExceeded) when it carries
    /// this annotation set to "true", or when a container image ends in ":fail".
    public static let failRolloutAnnotation = "kubesim.causeway.dev/fail-rollout"
}

public struct PropagationRule: Sendable {
    public var group: String
    public var kind: String
    public var delay: Duration

    public init(group: String, kind: String, delay: Duration) {
        self.group = group
        self.kind = kind
        self.delay = delay
    }
}

/// Runs the simulated controllers: after a write, schedules the status the
/// real controller would eventually publish.
final class Simulation: @unchecked Sendable {
    /// Weak: a simulated rollout scheduled before the server stopped may fire after it is gone.
    weak var server: APIServer?
    var options: SimulationOptions

    init(options: SimulationOptions) {
        self.options = options
    }

    /// Called under the server's lock after every stored write.
    func objectWritten(_ type: ResourceType, _ object: JSON) {
        guard object[path: "metadata", "deletionTimestamp"] == nil else { return }
        let generation = object[path: "metadata", "generation"]?.intValue ?? 0
        let observed = object[path: "status", "observedGeneration"]?.intValue
        guard observed != generation else { return }
        if type.group == "apps", type.kind == "Deployment" {
            let failing = options.failRollouts
            schedule(type, object, after: options.rolloutDuration) { Self.rolledOut($0, generation: generation, failing: failing) }
        } else if let rule = options.propagation.first(where: { $0.group == type.group && $0.kind == type.kind }) {
            schedule(type, object, after: rule.delay) { Self.propagated($0, generation: generation) }
        }
    }

    private func schedule(_ type: ResourceType, _ object: JSON, after delay: Duration, status: @escaping @Sendable (JSON) -> JSON) {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = type.namespaced ? object[path: "metadata", "namespace"]?.stringValue : nil
        let generation = object[path: "metadata", "generation"]?.intValue
        let key = type.key
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak server = self.server] in
            guard let server else { return }
            server.lock.withLock {
                guard let current = server.store.get(key, namespace: namespace, name: name),
                      current[path: "metadata", "generation"]?.intValue == generation,
                      let type = server.store.types[key] else { return }
                var updated = current
                updated["status"] = status(current)
                guard updated != current else { return }
                let stored = server.store.put(key, namespace: namespace, name: name, updated)
                // The simulated controller's status write is a write like any other: log it.
                server.writeLog.append(WriteRecord(
                    revision: server.store.revision, time: server.clock(), verb: "update", group: type.group, resource: type.plural,
                    subresource: "status", namespace: namespace, name: name, user: "system:kube-controller-manager",
                    fieldManager: "kube-controller-manager", changed: true))
                server.afterWrite(type, stored)
            }
        }
    }

    static func rolledOut(_ d: JSON, generation: Int64, failing: Bool = false) -> JSON {
        let replicas = d[path: "spec", "replicas"]?.intValue ?? 1
        let images = (d[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        let fails = failing || d[path: "metadata", "annotations", SimulationOptions.failRolloutAnnotation]?.stringValue == "true"
            || images.contains { $0.hasSuffix(":fail") }
        let now = Timestamps.format(Date())
        if fails {
            return ["observedGeneration": .int(generation), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
                    "unavailableReplicas": .int(replicas),
                    "conditions": [
                        ["type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                         "message": "Deployment does not have minimum availability.", "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
                        ["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                         "message": .string("ReplicaSet \"\(d[path: "metadata", "name"]?.stringValue ?? "")\" has timed out progressing."),
                         "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
                    ]]
        }
        return ["observedGeneration": .int(generation), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
                "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
                "conditions": [
                    ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                     "message": "Deployment has minimum availability.", "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
                    ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                     "message": .string("ReplicaSet \"\(d[path: "metadata", "name"]?.stringValue ?? "")\" has successfully progressed."),
                     "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
                ]]
    }

    static func propagated(_ object: JSON, generation: Int64) -> JSON {
        var status = object["status"]?.objectValue ?? JSONObject()
        status.set("observedGeneration", .int(generation))
        var conditions = (status["conditions"]?.arrayValue ?? []).filter { $0["type"] != "Ready" }
        conditions.append(["type": "Ready", "status": "True", "reason": "Propagated", "observedGeneration": .int(generation),
                           "message": "the change has propagated", "lastTransitionTime": .string(Timestamps.format(Date()))])
        status.set("conditions", .array(conditions))
        return .object(status)
    }
}
