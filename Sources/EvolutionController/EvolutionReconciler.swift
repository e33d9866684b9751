import ControllerRuntime
import EvolutionAPI
import EvolutionEngine
import Foundation
import KubeClient
import KubeJSON
import Synchronization

/// Carries out the engine's decisions for one Evolution key: gather what the
/// targets show, decide, then record, apply, tell and write status — in that
/// order, so a crash between acting and recording is absorbed by the ledger's
/// idempotent ids on the next pass.
///
/// Level-triggered: each pass re-reads the Evolution from the informer cache.
/// Apply outcomes are fed straight back into another decision (up to a few
/// rounds), so a step that converges instantly does not wait for a requeue.
final class EvolutionReconciler: Reconciler {
    static let fieldManager = "causeway"
    static let evolutions = APIResource(group: "causeway.dev", version: "v1alpha1", name: "evolutions", kind: "Evolution", namespaced: true)

    let cache: ObjectCache
    let home: KubeClient
    let targets: TargetClients
    let observed: ObservedObjects
    let ledgers: LedgerBook
    let events: EventRecorder
    let now: @Sendable () -> Date
    /// Apply outcomes not yet reported to the engine, by Evolution key.
    let pending = Mutex<[ControllerRuntime.ObjectKey: [ApplyResult]]>([:])

    init(cache: ObjectCache, home: KubeClient, targets: TargetClients, observed: ObservedObjects, ledgers: LedgerBook,
         events: EventRecorder, now: @escaping @Sendable () -> Date) {
        self.cache = cache
        self.home = home
        self.targets = targets
        self.observed = observed
        self.ledgers = ledgers
        self.events = events
        self.now = now
    }

    func reconcile(_ key: ControllerRuntime.ObjectKey) async -> ReconcileOutcome {
        guard var evolution = cache.get(key) else {
            pending.withLock { $0[key] = nil }
            return .done
        }
        var results = pending.withLock { $0.removeValue(forKey: key) ?? [] }
        /// The Evolution as the server holds it (status last written).
        var written = evolution
        do {
            for _ in 0..<4 {
                let stamp = Timestamp(nanosecondsSinceEpoch: Int64(now().timeIntervalSince1970 * 1e9))
                // Decoded once per round; nil when invalid (the engine reports why).
                let spec = try? Evolution(json: evolution).spec
                let input = EngineInput(object: evolution, observations: try await observations(evolution, spec: spec, key: key, applyResults: results),
                                        acknowledgments: Annotations.acknowledgments(evolution, now: stamp),
                                        retry: Annotations.retry(evolution), now: stamp)
                let decision = EvolutionEngine.decide(input)
                results = try await perform(decision, evolution: evolution, spec: spec)
                // Apply outcomes go straight into another decision; status is written once that
                // settles (the ledger already holds every transition, so nothing is lost meanwhile).
                // The engine is stateless: its next round reads the status it just decided.
                evolution["status"] = decision.status.json
                if results.isEmpty, decision.status.json != (written["status"] ?? .null) {
                    evolution = try await home.updateStatus(Self.evolutions, evolution)
                    written = evolution
                }
                if results.isEmpty {
                    guard let at = decision.requeueAt else { return .done }
                    let wait = max(at.nanosecondsSinceEpoch - stamp.nanosecondsSinceEpoch, 0)
                    return .requeue(after: .nanoseconds(wait))
                }
            }
            // Out of rounds with outcomes still to report: keep the decided status, report them next pass.
            if evolution["status"] != written["status"] { _ = try await home.updateStatus(Self.evolutions, evolution) }
            pending.withLock { $0[key] = results }
            return .requeue(after: .zero)
        } catch {
            pending.withLock { $0[key] = results }
            return .retry(error)
        }
    }

    /// The live objects the engine checks, per target, from watch caches.
    private func observations(_ evolution: JSON, spec: EvolutionSpec?, key: ControllerRuntime.ObjectKey,
                              applyResults: [ApplyResult]) async throws -> Observations {
        guard let spec else { return Observations(applyResults: applyResults) }
        let namespace = key.namespace ?? "default"
        var objects: [String: [EvolutionAPI.ObjectKey: JSON]] = [:]
        for (targetName, keys) in EvolutionEngine.observedObjects(spec: spec, status: EvolutionStatus(json: evolution["status"])) {
            guard let target = spec.targets.first(where: { $0.name == targetName }),
                  let client = try? await targets.client(for: target, evolutionNamespace: namespace) else { continue }
            for objectKey in keys {
                guard let resource = try? await client.resource(apiVersion: objectKey.apiVersion, kind: objectKey.kind) else { continue }
                let objectNamespace = resource.namespaced ? (objectKey.namespace ?? namespace) : nil
                let seen = observed.observe(objectKey, namespace: objectNamespace, resource: resource, on: targetName, client: client, for: key)
                if let object = seen.object { objects[targetName, default: [:]][objectKey] = object }
            }
        }
        return Observations(objects: objects, applyResults: applyResults)
    }

    /// Ledger first (one batch), then applies, then Events; returns the apply outcomes.
    private func perform(_ decision: Decision, evolution: JSON, spec: EvolutionSpec?) async throws -> [ApplyResult] {
        let records = decision.ledgerRecords
        if !records.isEmpty { try await ledgers.record(records, for: evolution) }
        var results: [ApplyResult] = []
        for action in decision.applies { results.append(await apply(action, evolution: evolution, spec: spec)) }
        for event in decision.events {
            await events.record(regarding: evolution, type: event.type == .warning ? .warning : .normal,
                                reason: event.reason, action: "Reconcile", note: event.message)
        }
        return results
    }

    /// Server-side apply of every object of a step on one target, as field manager "causeway".
    private func apply(_ action: ApplyAction, evolution: JSON, spec: EvolutionSpec?) async -> ApplyResult {
        let namespace = evolution[path: "metadata", "namespace"]?.stringValue ?? "default"
        func failed(_ reason: String, _ message: String, retryable: Bool) -> ApplyResult {
            ApplyResult(step: action.step, target: action.target, contentHash: action.contentHash,
                        outcome: .failed(reason: reason, message: message, retryable: retryable))
        }
        guard let target = spec?.targets.first(where: { $0.name == action.target }) else {
            return failed("UnknownTarget", "target \(action.target) is not declared", retryable: false)
        }
        let client: KubeClient
        do { client = try await targets.client(for: target, evolutionNamespace: namespace) } catch {
            return failed("TargetUnreachable", "\(error)", retryable: true)
        }
        var versions: [EvolutionAPI.ObjectKey: String] = [:]
        for manifest in action.objects {
            var object = manifest
            do {
                let resource = try await client.resource(for: object)
                if resource.namespaced, object[path: "metadata", "namespace"] == nil { object["metadata"]?["namespace"] = .string(namespace) }
                let applied = try await client.apply(resource, object, fieldManager: Self.fieldManager, force: true)
                if let key = EvolutionAPI.ObjectKey(manifest: manifest) {
                    versions[key] = applied[path: "metadata", "resourceVersion"]?.stringValue ?? ""
                }
            } catch {
                let code = error.statusCode ?? 0
                let retryable = code == 0 || code == 409 || code == 429 || code >= 500
                let reason: String
                if case .api(let status) = error { reason = status.reason } else { reason = "ApplyFailed" }
                return failed(reason, "\(error)", retryable: retryable)
            }
        }
        return ApplyResult(step: action.step, target: action.target, contentHash: action.contentHash, outcome: .applied(resourceVersions: versions))
    }
}
