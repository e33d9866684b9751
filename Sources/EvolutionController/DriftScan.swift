import EvolutionAPI
import EvolutionEngine
import KubeClient
import KubeJSON

/// `causeway drift`: every object the given Evolutions own, re-read live on every target and
/// compared with what status says Causeway left there (`DriftInspection`, as the controller
/// does). One list per target, kind and namespace, not one read per object.
public enum DriftScan {
    public struct Finding: Sendable {
        public var evolution: String
        public var namespace: String
        public var policy: DriftPolicy.Mode
        public var deviation: DeviationRecord
        /// Whether the controller has recorded this very change (status holds its hash).
        public var recorded: Bool
    }

    /// A target (or a kind on it) that could not be read: its objects are unchecked.
    public struct Unchecked: Sendable {
        public var evolution: String
        public var namespace: String
        public var target: String
        public var reason: String
    }

    public struct Report: Sendable {
        public var findings: [Finding] = []
        public var unchecked: [Unchecked] = []
        public var checkedObjects = 0
        public var evolutions = 0
    }

    /// Scans `evolutions` (as listed from the API server), reading targets with `reader`'s rights.
    public static func scan(_ evolutions: [JSON], reader: KubeClient) async -> Report {
        var report = Report()
        // Evolutions that share a target Secret share its client, its discovery and its lists.
        var clients: [String: Result<KubeClient, any Error>] = [:]
        var lists: [String: Result<[String: JSON], any Error>] = [:]
        for object in evolutions {
            guard let name = object[path: "metadata", "name"]?.stringValue,
                  let namespace = object[path: "metadata", "namespace"]?.stringValue else { continue }
            let status = EvolutionStatus(json: object["status"])
            guard !status.drift.owned.isEmpty else { continue }
            report.evolutions += 1
            let spec = try? Evolution(json: object).spec
            let policy = spec?.drift.policy ?? .report
            for (targetName, owned) in Dictionary(grouping: status.drift.owned, by: \.target).sorted(by: { $0.key < $1.key }) {
                func unchecked(_ reason: String) {
                    let gap = Unchecked(evolution: name, namespace: namespace, target: targetName, reason: reason)
                    if !report.unchecked.contains(where: { $0.evolution == name && $0.namespace == namespace && $0.target == targetName && $0.reason == reason }) {
                        report.unchecked.append(gap)
                    }
                }
                // A target the spec no longer declares cannot be reached as declared: not guessed at.
                guard let target = spec?.targets.first(where: { $0.name == targetName }) else {
                    unchecked("the target is not declared in the Evolution's spec\(spec == nil ? " (the spec is invalid)" : "")")
                    continue
                }
                let ref = target.kubeconfigSecretRef
                let clientKey = ref.map { "\($0.namespace ?? namespace)/\($0.name)#\($0.key)" } ?? ""
                if clients[clientKey] == nil {
                    do { clients[clientKey] = .success(try await TargetAccess.client(for: target, namespace: namespace, reader: reader)) } catch {
                        clients[clientKey] = .failure(error)
                    }
                }
                let client: KubeClient
                switch clients[clientKey]! {
                case .success(let reached): client = reached
                case .failure(let error): unchecked("\(error)"); continue
                }
                for item in owned {
                    let resource: APIResource
                    do { resource = try await client.resource(apiVersion: item.object.apiVersion, kind: item.object.kind) } catch {
                        unchecked("\(item.object.apiVersion) \(item.object.kind): \(error)")
                        continue
                    }
                    let objectNamespace = resource.namespaced ? (item.object.namespace ?? namespace) : nil
                    let listKey = clientKey + "|" + resource.path(namespace: objectNamespace)
                    if lists[listKey] == nil {
                        do {
                            let items = try await client.listAll(resource, namespace: objectNamespace).items
                            lists[listKey] = .success(Dictionary(items.map { ($0[path: "metadata", "name"]?.stringValue ?? "", $0) }) { a, _ in a })
                        } catch {
                            lists[listKey] = .failure(error)
                        }
                    }
                    let live: [String: JSON]
                    switch lists[listKey]! {
                    case .success(let items): live = items
                    case .failure(let error):
                        unchecked("cannot list \(resource)\(objectNamespace.map { " in \($0)" } ?? ""): \(error)")
                        continue
                    }
                    report.checkedObjects += 1
                    guard let found = DriftInspection.inspect(item, live: live[item.object.name]) else { continue }
                    let recorded = status.drift.unresolved.contains {
                        $0.record.target == found.target && $0.record.object == found.object && $0.record.liveHash == found.liveHash
                    }
                    report.findings.append(Finding(evolution: name, namespace: namespace, policy: policy, deviation: found, recorded: recorded))
                }
            }
        }
        return report
    }
}
