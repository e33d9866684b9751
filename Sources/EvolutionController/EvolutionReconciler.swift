import ControllerRuntime
import EvolutionAdmission
import EvolutionAPI
import EvolutionEngine
import Foundation
import KubeClient
import KubeJSON
import KubeSemantics
import Logging
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
    static let evolutions = APIResource.evolutions

    let cache: ObjectCache
    let home: KubeClient
    let targets: TargetClients
    let admission: PlanAdmission
    let observed: ObservedObjects
    let ledgers: LedgerBook
    let events: EventRecorder
    let now: @Sendable () -> Date
    let logger: Logger
    /// Acknowledgments without the webhook's stamp are not honoured.
    let requireAttributedAcks: Bool
    /// Verifies the webhook's stamps.
    let stampKey: StampKey?
    /// Signs the governance mark on what is applied; nil when the admission webhook is not installed (nothing is marked).
    let governanceKey: StampKey?
    /// Who wrote what departed, per Causeway's admission webhook.
    let journals: AdmissionJournals
    /// Every Warning the controller tells about an Evolution, by reason: what failed, counted.
    let warnings: MetricFamily
    /// Objects whose owned fields someone else changed, unresolved, per Evolution and target.
    let drifted: MetricFamily
    /// The targets each Evolution's drift gauge was last set for.
    let driftTargets = Mutex<[ControllerRuntime.ObjectKey: Set<String>]>([:])
    /// Apply outcomes not yet reported to the engine, by Evolution key.
    let pending = Mutex<[ControllerRuntime.ObjectKey: [ApplyResult]]>([:])

    init(cache: ObjectCache, home: KubeClient, targets: TargetClients, observed: ObservedObjects, ledgers: LedgerBook,
         events: EventRecorder, logger: Logger, metrics: RuntimeMetrics, requireAttributedAcks: Bool = false, stampKey: StampKey? = nil,
         governanceKey: StampKey? = nil, now: @escaping @Sendable () -> Date) {
        self.requireAttributedAcks = requireAttributedAcks
        self.stampKey = stampKey
        self.governanceKey = governanceKey
        self.journals = AdmissionJournals(stampKey: governanceKey)
        self.cache = cache
        self.home = home
        self.targets = targets
        self.admission = PlanAdmission(home: home, targets: targets, freezeEnforced: governanceKey != nil, now: now)
        self.observed = observed
        self.ledgers = ledgers
        self.events = events
        self.now = now
        self.logger = logger
        warnings = metrics.registry.counter("causeway_evolution_warnings_total",
                                            help: "Warnings told about Evolutions (refusals, failed steps, failed reconciles), by reason.",
                                            labels: ["reason"])
        drifted = metrics.registry.gauge("causeway_drifted_objects",
                                         help: "Objects an Evolution applied whose owned fields someone else changed or deleted, unresolved.",
                                         labels: ["evolution", "namespace", "target"])
    }

    func reconcile(_ key: ControllerRuntime.ObjectKey) async -> ReconcileOutcome {
        guard var evolution = cache.get(key) else {
            // Gone: whatever was kept for it ends with it.
            pending.withLock { $0[key] = nil }
            admission.forget(key)
            observed.forget(key)
            targets.forget(key)
            ledgers.release(key)
            events.forget(namespace: namespace(of: key), name: key.name)
            let gone = [key.name, self.namespace(of: key)]
            drifted.removeAll { Array($0.prefix(2)) == gone }
            driftTargets.withLock { $0[key] = nil }
            return .done
        }
        var results = pending.withLock { $0.removeValue(forKey: key) ?? [] }
        // Kubeconfig Secrets read since then are fresh enough to act on: one read per target per reconcile.
        let began = ContinuousClock.now
        /// The Evolution as the server holds it (status last written).
        var written = evolution
        let namespace = key.namespace ?? "default"
        let generation = evolution[path: "metadata", "generation"]?.intValue ?? 1
        // The spec cannot change within one reconcile (the cache is re-read next time): decoded once.
        let decoded: Result<EvolutionSpec, SpecValidationError>
        do { decoded = .success(try Evolution(json: evolution).spec) } catch { decoded = .failure(error) }
        let spec = try? decoded.get()
        let account = spec.map { targets.policy.account(of: $0, namespace: namespace) }
        do {
            var admitted: (refusal: RefusalRecord?, recheckAt: Date?) = (nil, nil)
            if let spec, let account, !Self.converged(evolution, generation: generation) {
                admitted = try await ReconcileFailure.Stage.admission.run {
                    try await admission.verdict(for: key, uid: evolution[path: "metadata", "uid"]?.stringValue ?? "", generation: generation,
                                                spec: spec, account: account, namespace: namespace, began: began)
                }
            }
            // Decoded once; each later round starts from the status the engine decided.
            var current = EvolutionStatus(json: evolution["status"])
            let acks = Annotations.acknowledgments(evolution, now: Self.timestamp(now()), stampKey: stampKey)
            if requireAttributedAcks { await refuseUnattributed(acks.unattributed, status: current, evolution: evolution) }
            for _ in 0..<4 {
                let stamp = Self.timestamp(now())
                var observations = await self.observations(status: current, spec: spec, account: account, key: key, applyResults: results,
                                                           began: began)
                observations.refusal = admitted.refusal ?? observations.refusal
                let input = EngineInput(generation: generation, spec: decoded, status: current,
                                        observations: observations,
                                        acknowledgments: acks.attributed + (requireAttributedAcks ? [] : acks.unattributed),
                                        retry: Annotations.retry(evolution, stampKey: stampKey), now: stamp)
                let decision = EvolutionEngine.decide(input)
                let performed = try await perform(decision, evolution: evolution, spec: spec, account: account, began: began)
                results = performed.results
                // Apply outcomes go straight into another decision; status is written once that
                // settles (the ledger already holds every transition, so nothing is lost meanwhile).
                // The engine is stateless: its next round reads the status it just decided,
                // with the ledger's new signed head as the anchor.
                var status = decision.status
                if let anchor = performed.anchor { status.ledger = anchor }
                current = status
                countDrift(status, spec: spec, key: key)
                evolution["status"] = status.json
                if results.isEmpty, evolution["status"] != (written["status"] ?? .null) {
                    let next = evolution, before = written
                    evolution = try await ReconcileFailure.Stage.status.run { try await writeStatus(next, over: before) }
                    written = evolution
                }
                if results.isEmpty {
                    let recheck = admitted.recheckAt.map(Self.timestamp)
                    guard let at = [decision.requeueAt, recheck].compactMap({ $0 }).min() else {
                        // Converged with nothing to wait for: its ledger closes until it is next written.
                        if Self.converged(evolution, generation: generation) { ledgers.release(key) }
                        return .done
                    }
                    let wait = max(at.nanosecondsSinceEpoch - stamp.nanosecondsSinceEpoch, 0)
                    return .requeue(after: .nanoseconds(wait))
                }
            }
            // Out of rounds with outcomes still to report: keep the decided status, report them next pass.
            if evolution["status"] != written["status"] {
                let next = evolution, before = written
                _ = try await ReconcileFailure.Stage.status.run { try await writeStatus(next, over: before) }
            }
            pending.withLock { $0[key] = results }
            return .requeue(after: .zero)
        } catch {
            pending.withLock { $0[key] = results }
            return await report(ReconcileFailure.classify(error, at: .status), evolution: written, generation: generation)
        }
    }

    /// Makes a failed reconcile visible: a condition (Ready=False with the reason; Stalled when
    /// terminal) on the Evolution, a Warning Event and the warnings metric; the controller's
    /// runtime logs it and counts it by reason. A status the API server refused is replaced by
    /// a minimal one that says so. Best effort: what cannot be written is logged.
    private func report(_ failure: ReconcileFailure, evolution: JSON, generation: Int64) async -> ReconcileOutcome {
        if failure.gone { return .done }
        if failure.conflict {
            logger.debug("status write conflicted with a newer version; reconciling again", metadata: Self.metadata(evolution))
            return .requeue(after: .milliseconds(100))
        }
        let previous = EvolutionStatus(json: evolution["status"])
        let stamp = Self.timestamp(now())
        let status = failure.reason == "StatusRejected"
            ? EvolutionEngine.minimalStatus(after: previous, generation: generation, reason: failure.reason, message: failure.message, now: stamp)
            : EvolutionEngine.reportingFailure(previous, generation: generation, reason: failure.reason, message: failure.message,
                                               stalled: failure.terminal, now: stamp)
        var failed = evolution
        failed["status"] = status.json
        do { _ = try await writeStatus(failed, over: evolution) } catch {
            logger.error("could not write the failure to status either", metadata: Self.metadata(evolution).merging([
                "reason": .string(failure.reason), "error": .string("\(error)")]) { $1 })
        }
        await warn(evolution, reason: failure.reason, message: failure.message)
        return failure.terminal ? .terminal(failure.reconcileError) : .retry(failure.reconcileError)
    }

    /// A Warning Event, counted by reason (the runtime logs the reconcile's own failures; the
    /// engine's warnings are logged here).
    private func warn(_ evolution: JSON, reason: String, message: String) async {
        warnings.increment([reason])
        await events.record(regarding: evolution, type: .warning, reason: reason, action: "Reconcile", note: message)
    }

    static func metadata(_ evolution: JSON) -> Logger.Metadata {
        ["evolution": .string(evolution[path: "metadata", "name"]?.stringValue ?? ""),
         "namespace": .string(evolution[path: "metadata", "namespace"]?.stringValue ?? ""),
         "reconcileID": .string(ReconcileID.current ?? "")]
    }

    private func namespace(of key: ControllerRuntime.ObjectKey) -> String { key.namespace ?? "default" }

    /// An acknowledgment nobody can be named for, of a step still waiting for one, is not honoured
    /// under --require-attributed-acks; each such refusal is told (a Warning, counted, logged).
    private func refuseUnattributed(_ acks: [Acknowledgment], status: EvolutionStatus, evolution: JSON) async {
        for ack in acks where status.step(ack.step)?.phase == .waitingForAcknowledgment {
            let message = "acknowledgment of \(ack.step) not honoured: it is \(ack.by), and --require-attributed-acks is set; "
                + "acknowledge again with the admission webhook running (causeway webhook) so the acknowledgment names who made it"
            logger.warning("\(message)", metadata: Self.metadata(evolution).merging(["reason": "UnattributedAcknowledgment"]) { $1 })
            await warn(evolution, reason: "UnattributedAcknowledgment", message: message)
        }
    }

    /// `causeway_drifted_objects` for each target, from the status just decided.
    private func countDrift(_ status: EvolutionStatus, spec: EvolutionSpec?, key: ControllerRuntime.ObjectKey) {
        let open = status.drift.unresolved
        let targets = Set((spec?.targets.map(\.name) ?? []) + open.map(\.record.target))
        // A target the spec dropped leaves no stale series behind (looked for only when the set changed:
        // a removal scans every series, and this runs on every decision).
        let previous = driftTargets.withLock { known in defer { known[key] = targets }; return known[key] }
        if let previous, !previous.subtracting(targets).isEmpty {
            let gone = previous.subtracting(targets), evolution = [key.name, namespace(of: key)]
            drifted.removeAll { Array($0.prefix(2)) == evolution && gone.contains($0[2]) }
        }
        for target in targets {
            drifted.set([key.name, namespace(of: key), target], to: Double(open.filter { $0.record.target == target }.count))
        }
    }

    static func timestamp(_ date: Date) -> Timestamp { Timestamp(nanosecondsSinceEpoch: Int64(date.timeIntervalSince1970 * 1e9)) }

    /// Writes what changed in status since `written`, as a merge patch on the status
    /// subresource: no precondition to go stale (status has one writer, this controller),
    /// and a request the size of the change, not of the object.
    /// The cache answers with what was written until its watch catches up, so the next
    /// reconcile does not redo what this one did.
    func writeStatus(_ evolution: JSON, over written: JSON) async throws(KubeClientError) -> JSON {
        let change = MergePatch.diff(from: written["status"] ?? [:], to: evolution["status"] ?? [:])
        let stored = try await home.patch(Self.evolutions, name: evolution[path: "metadata", "name"]?.stringValue ?? "",
                                          namespace: evolution[path: "metadata", "namespace"]?.stringValue, .merge(["status": change]),
                                          subresource: "status", options: WriteOptions(fieldManager: StepApply.fieldManager))
        cache.assume(Annotations.cacheShape(stored))
        return stored
    }

    /// This generation converged: nothing is left to start, so nothing to admit.
    static func converged(_ evolution: JSON, generation: Int64) -> Bool {
        evolution[path: "status", "observedGeneration"]?.intValue == generation && evolution[path: "status", "phase"] == "Converged"
    }

    /// The live objects the engine checks, per target, from watch caches read as the
    /// Evolution's account. A target that cannot be reached as the account, or a watch the
    /// API server refuses it, is a refusal; a refused watch's cache is stale and not read.
    private func observations(status: EvolutionStatus, spec: EvolutionSpec?, account: EvolutionAccount?, key: ControllerRuntime.ObjectKey,
                              applyResults: [ApplyResult], began: ContinuousClock.Instant) async -> Observations {
        defer { observed.settle(key) }
        guard let spec, let account else { return Observations(applyResults: applyResults) }
        let namespace = key.namespace ?? "default"
        var objects: [String: [EvolutionAPI.ObjectKey: JSON]] = [:]
        var absent: [String: [EvolutionAPI.ObjectKey: String]] = [:]
        var refusal: RefusalRecord?
        var journals: [String: [String: JournalRead]] = [:]
        for (targetName, keys) in EvolutionEngine.observedObjects(spec: spec, status: status) {
            guard let target = spec.targets.first(where: { $0.name == targetName }) else { continue }
            // Looking needs no fresh Secret read: the watches run through the connection last read.
            let connection: TargetConnection
            if let known = targets.lastConnection(for: target, account: account, evolution: key) { connection = known } else {
                do throws(TargetAccessError) { connection = try await targets.connection(for: target, account: account, evolution: key, readSince: began) } catch {
                    if refusal == nil, !error.transient { refusal = RefusalRecord(reason: error.reason, message: error.description, target: targetName) }
                    continue
                }
            }
            for objectKey in keys {
                // An unknown kind may be installed by an earlier step: unseen until it is.
                guard let resource = try? await connection.client.resource(apiVersion: objectKey.apiVersion, kind: objectKey.kind) else { continue }
                let objectNamespace = resource.namespaced ? (objectKey.namespace ?? namespace) : nil
                let seen = observed.observe(objectKey, namespace: objectNamespace, resource: resource, through: connection, for: key)
                let denied = seen.failure?.statusCode == 403
                // Under the key as the spec writes it (checks) and as it landed (what Causeway owns).
                var placed = objectKey
                placed.namespace = objectNamespace
                for key in Set([objectKey, placed]) {
                    if let object = seen.object, !denied { objects[targetName, default: [:]][key] = object }
                    // Absent only as of a known version (after a 410 relist the informer has none until it lists again).
                    if seen.object == nil, seen.synced, seen.failure == nil, let version = seen.resourceVersion, !version.isEmpty {
                        absent[targetName, default: [:]][key] = version
                    }
                }
                if refusal == nil, denied, let failure = seen.failure {
                    refusal = RefusalRecord(reason: .forbidden, message:
                        "cannot watch \(resource)\(objectNamespace.map { " in \($0)" } ?? "") on \(targetName) to check \(objectKey): \(failure.message); grant get, list and watch on what the steps check",
                        target: targetName)
                }
            }
            journals[targetName] = await departureJournals(status: status, target: targetName, objects: objects[targetName] ?? [:],
                                                           absent: absent[targetName] ?? [:], through: connection)
        }
        return Observations(objects: objects, applyResults: applyResults, absent: absent, refusal: refusal, journals: journals,
                            journalsEnabled: self.journals.enabled)
    }

    /// The admission journals of the namespaces where an owned object departs in a way not yet
    /// recorded, read after seeing the departure (so they hold the write that made it).
    private func departureJournals(status: EvolutionStatus, target: String, objects: [EvolutionAPI.ObjectKey: JSON],
                                   absent: [EvolutionAPI.ObjectKey: String], through connection: TargetConnection) async -> [String: JournalRead]? {
        guard journals.enabled else { return nil }
        var namespaces: Set<String> = []
        for owned in status.drift.owned where owned.target == target {
            let live = objects[owned.object]
            guard live != nil || absent[owned.object] != nil, let found = DriftInspection.inspect(owned, live: live) else { continue }
            let known = status.drift.deviations.first { $0.isOpen && $0.record.target == target && $0.record.object == owned.object }
            if let known, known.record.liveHash == found.liveHash { continue }
            namespaces.insert(AdmissionJournal.namespace(of: owned.object))
        }
        var read: [String: JournalRead] = [:]
        for namespace in namespaces.sorted() {
            read[namespace] = await journals.read(namespace: namespace, target: target, through: connection)
        }
        return read.isEmpty ? nil : read
    }

    /// Ledger first (one batch), then applies, then Events; returns the apply outcomes and
    /// the ledger's anchor when records were appended.
    private func perform(_ decision: Decision, evolution: JSON, spec: EvolutionSpec?, account: EvolutionAccount?,
                         began: ContinuousClock.Instant) async throws -> (results: [ApplyResult], anchor: LedgerSummary?) {
        let records = decision.ledgerRecords
        let anchor = records.isEmpty ? nil : try await ReconcileFailure.Stage.ledger.run { try await ledgers.record(records, for: evolution) }
        var results: [ApplyResult] = []
        for action in decision.applies { results.append(await apply(action, evolution: evolution, spec: spec, account: account, began: began)) }
        for event in decision.events {
            if event.type == .warning {
                logger.warning("\(event.message)", metadata: Self.metadata(evolution).merging(["reason": .string(event.reason)]) { $1 })
                await warn(evolution, reason: event.reason, message: event.message)
            } else {
                logger.info("\(event.message)", metadata: Self.metadata(evolution).merging(["reason": .string(event.reason)]) { $1 })
                await events.record(regarding: evolution, type: .normal, reason: event.reason, action: "Reconcile", note: event.message)
            }
        }
        return (results, anchor)
    }

    /// Server-side apply of every object of a step on one target, as field manager "causeway",
    /// acting as the Evolution's account, through a connection whose kubeconfig Secret was read
    /// as the account in this reconcile (since `began`), never one remembered from an earlier one.
    private func apply(_ action: ApplyAction, evolution: JSON, spec: EvolutionSpec?, account: EvolutionAccount?,
                       began: ContinuousClock.Instant) async -> ApplyResult {
        let namespace = evolution[path: "metadata", "namespace"]?.stringValue ?? "default"
        var baselines: [OwnedObject] = []
        // What did apply before a later object failed is Causeway's too: its baseline is reported either way.
        func failed(_ reason: String, _ message: String, retryable: Bool) -> ApplyResult {
            ApplyResult(step: action.step, target: action.target, contentHash: action.contentHash,
                        outcome: .failed(reason: reason, message: message, retryable: retryable), revert: action.revert, baselines: baselines)
        }
        guard let target = spec?.targets.first(where: { $0.name == action.target }), let account else {
            return failed("UnknownTarget", "target \(action.target) is not declared", retryable: false)
        }
        let connection: TargetConnection
        let evolutionName = evolution[path: "metadata", "name"]?.stringValue ?? ""
        let key = ControllerRuntime.ObjectKey(namespace: namespace, name: evolutionName)
        do { connection = try await targets.connection(for: target, account: account, evolution: key, readSince: began) } catch {
            return failed(error.reason.rawValue, error.description, retryable: error.reason == .targetUnreachable)
        }
        let client = connection.client
        // What Causeway's admission webhook on the target journals and freezes by (GovernanceMark).
        var applier: String?
        if governanceKey != nil {
            do {
                applier = try await targets.identity(of: connection)
            } catch {
                let forbidden = error.statusCode == 403
                return failed(forbidden ? FailureReason.forbidden.rawValue : FailureReason.targetUnreachable.rawValue,
                              "target \(action.target): cannot learn whom its kubeconfig authenticates as (a SelfSubjectReview, as kubectl auth whoami asks): \(TargetClients.text(error))"
                                + (forbidden ? "; grant it create on selfsubjectreviews.authentication.k8s.io (system:basic-user does)" : ""),
                              retryable: !forbidden)
            }
        }
        var sent: [AppliedObject] = []
        for manifest in action.objects {
            do {
                let resource = try await client.resource(for: manifest)
                let object = StepApply.placed(manifest, resource: resource, evolutionNamespace: namespace)
                let landed = EvolutionAPI.ObjectKey(manifest: object)
                var marked = object
                if let applier, let key = governanceKey, let landed {
                    let mark = GovernanceMark(evolution: "\(namespace)/\(evolutionName)", applier: applier, freeze: action.freeze, applying: object)
                    marked = key.sign(mark, object: landed).placed(on: object)
                }
                let applied = try await StepApply.apply(marked, resource: resource, with: client)
                // The ledger records the object as the step declares it; the mark is Causeway's own bookkeeping.
                sent.append(.sent(object, resourceVersion: applied[path: "metadata", "resourceVersion"]?.stringValue))
                // Keyed by where it landed (namespace filled in), as the ledger and `causeway drift` name it.
                if let landed, var owned = DriftInspection.baseline(after: applied, target: action.target, step: action.step,
                                                                    contentHash: action.contentHash, object: landed) {
                    owned.frozen = action.freeze
                    baselines.append(owned)
                }
            } catch {
                let code = error.statusCode ?? 0
                let retryable = code == 0 || code == 409 || code == 429 || code >= 500
                let reason: String
                switch error {
                case .api(let status): reason = status.reason.isEmpty ? "ApplyFailed" : status.reason
                case .transport: reason = FailureReason.targetUnreachable.rawValue  // the target's API server did not answer
                default: reason = FailureReason.applyFailed.rawValue
                }
                return failed(reason, "\(error)", retryable: retryable)
            }
        }
        return ApplyResult(step: action.step, target: action.target, contentHash: action.contentHash, outcome: .applied(objects: sent),
                           revert: action.revert, baselines: baselines)
    }
}
