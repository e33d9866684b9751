import Foundation
import KubeClient
import KubeJSON
import Logging
import Synchronization

/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics.
///
/// Expected flow: candidates try every `retryPeriod`; the Lease is created if
/// missing, and taken over only when the holder is empty or has not changed
/// the Lease for `leaseDuration` *as observed on this replica's clock* (clocks
/// of different machines are never compared). Every write is a PUT with the
/// resourceVersion read, so of two rivals exactly one wins (the other gets 409).
///
/// Guarantees: the work given to `run` runs only while leading and is
/// cancelled at once when leadership is lost (renewal failing for
/// `renewDeadline`, or another holder seen). On a graceful stop the Lease is
/// released (empty holder) so a standby takes over at its next retry.
/// Caveat: like client-go, safety relies on clocks advancing at similar rates.
public final class LeaderElector: Sendable {
    public let config: LeaderElectionConfig
    let client: KubeClient
    let clock: any RuntimeClock
    let wallClock: @Sendable () -> Date
    let state = Mutex(ElectorState())
    let metrics: RuntimeMetrics?
    let logger: Logger

    struct ElectorState {
        var observedSpec: JSON?
        var observedResourceVersion: String?
        var observedTime: Duration = .zero
        var isLeader = false
    }

    /// What one acquire-or-renew attempt found.
    enum Attempt: Equatable { case leading, heldByOther, failed }

    public init(client: KubeClient, config: LeaderElectionConfig, clock: any RuntimeClock = ContinuousRuntimeClock(),
                wallClock: @escaping @Sendable () -> Date = { Date() }, metrics: RuntimeMetrics? = nil,
                logger: Logger = .disabled("causeway.leader-election")) {
        var logger = logger
        logger[metadataKey: "lease"] = .string("\(config.namespace)/\(config.leaseName)")
        logger[metadataKey: "identity"] = .string(config.identity)
        self.logger = logger
        self.client = client
        self.config = config
        self.clock = clock
        self.wallClock = wallClock
        self.metrics = metrics
        metrics?.register(self)
    }

    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// Campaigns until leading, runs `work` while leading, and returns when leadership
    /// is lost, `work` returns, or the task is cancelled (then the Lease is released).
    public func run(whileLeading work: @escaping @Sendable () async -> Void) async {
        while await tryAcquireOrRenew() != .leading {
            do { try await clock.sleep(until: clock.now + jittered(config.retryPeriod)) } catch { return }
        }
        if Task.isCancelled { return await releaseDetachedFromCancellation() }
        state.withLock { $0.isLeader = true }
        logger.info("became the leader")
        enum Ended { case workReturned, lost, cancelled }
        let ended: Ended = await withTaskGroup(of: Ended.self) { group in
            group.addTask { await work(); return .workReturned }
            group.addTask { await self.keepRenewing() ? .cancelled : .lost }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            // Not leading from here on, before in-flight work has even finished unwinding.
            state.withLock { $0.isLeader = false }
            return first
        }
        if ended == .lost {
            logger.error("lost the leadership: renewal failed or another holder took the Lease")
        } else {
            logger.info("stepped down; releasing the Lease")
            await releaseDetachedFromCancellation()
        }
    }

    /// Renews every retryPeriod; returns false when leadership is lost, true when cancelled.
    func keepRenewing() async -> Bool {
        var lastRenewal = clock.now
        while true {
            do { try await clock.sleep(until: clock.now + config.retryPeriod) } catch { return true }
            switch await tryAcquireOrRenew() {
            case .leading: lastRenewal = clock.now
            case .heldByOther: return false
            case .failed: if clock.now - lastRenewal >= config.renewDeadline { return false }
            }
            if Task.isCancelled { return true }
        }
    }

    /// client-go's tryAcquireOrRenew: read (create on 404), respect an unexpired holder, then write with the read resourceVersion.
    func tryAcquireOrRenew() async -> Attempt {
        let now = MicroTime.format(wallClock())
        let lease: JSON
        do {
            lease = try await measured(metrics, "GET") { () async throws(KubeClientError) in
                try await client.get(.leases, name: config.leaseName, namespace: config.namespace)
            }
        } catch let error {
            guard error.statusCode == 404 else { return .failed }
            return await create(now: now)
        }
        let spec = lease["spec"] ?? [:]
        let resourceVersion = lease[path: "metadata", "resourceVersion"]?.stringValue
        let holder = spec["holderIdentity"]?.stringValue ?? ""
        let expired: Bool = state.withLock { state in
            if state.observedSpec != spec || state.observedResourceVersion != resourceVersion {
                state.observedSpec = spec
                state.observedResourceVersion = resourceVersion
                state.observedTime = clock.now
            }
            return state.observedTime + config.leaseDuration <= clock.now
        }
        if !holder.isEmpty && holder != config.identity && !expired { return .heldByOther }

        var updated = lease
        let transitions = spec["leaseTransitions"]?.intValue ?? 0
        updated["spec"] = [
            "holderIdentity": .string(config.identity),
            "leaseDurationSeconds": .int(config.leaseDurationSeconds),
            "acquireTime": holder == config.identity ? (spec["acquireTime"] ?? .string(now)) : .string(now),
            "renewTime": .string(now),
            "leaseTransitions": .int(holder == config.identity ? transitions : transitions + 1),
        ]
        return await write(updated)
    }

    private func create(now: String) async -> Attempt {
        let lease: JSON = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(config.leaseName), "namespace": .string(config.namespace)],
            "spec": ["holderIdentity": .string(config.identity), "leaseDurationSeconds": .int(config.leaseDurationSeconds),
                     "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0],
        ]
        do {
            let created = try await measured(metrics, "POST") { () async throws(KubeClientError) in
                try await client.create(.leases, lease, namespace: config.namespace)
            }
            observe(created)
            return .leading
        } catch {
            return .failed
        }
    }

    /// PUT with the resourceVersion read; a 409 means a rival wrote first.
    private func write(_ lease: JSON) async -> Attempt {
        do {
            let written = try await measured(metrics, "PUT") { () async throws(KubeClientError) in
                try await client.update(.leases, lease, namespace: config.namespace)
            }
            observe(written)
            return .leading
        } catch {
            return error.statusCode == 409 ? .heldByOther : .failed
        }
    }

    private func observe(_ lease: JSON) {
        state.withLock { state in
            state.observedSpec = lease["spec"]
            state.observedResourceVersion = lease[path: "metadata", "resourceVersion"]?.stringValue
            state.observedTime = clock.now
        }
    }

    /// Empties the holder if we still hold it (client-go's release), so a standby need not wait for expiry.
    func release() async {
        guard config.releaseOnCancel else { return }
        guard let lease = try? await measured(metrics, "GET", { () async throws(KubeClientError) in
                  try await client.get(.leases, name: config.leaseName, namespace: config.namespace)
              }),
              lease[path: "spec", "holderIdentity"]?.stringValue == config.identity else { return }
        let now = MicroTime.format(wallClock())
        var released = lease
        released["spec"] = [
            "leaseDurationSeconds": 1, "acquireTime": .string(now), "renewTime": .string(now),
            "leaseTransitions": lease[path: "spec", "leaseTransitions"] ?? 0,
        ]
        _ = try? await measured(metrics, "PUT") { () async throws(KubeClientError) in
            try await client.update(.leases, released, namespace: config.namespace)
        }
    }

    /// The release must reach the server even though our task is being cancelled; the child task is awaited, so it has an owner.
    private func releaseDetachedFromCancellation() async {
        await Task { await self.release() }.value
    }

    private func jittered(_ period: Duration) -> Duration { period * (1 + 0.2 * Double.random(in: 0..<1)) }
}
