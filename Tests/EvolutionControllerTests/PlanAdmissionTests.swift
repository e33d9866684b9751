import Foundation
import Synchronization
import Testing
import ControllerRuntime
import EvolutionAPI
@testable import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting

/// A refused plan is checked again with backoff, not on every reconcile: 10 s,
/// doubling, capped at 5 minutes; a spec change checks at once; admission sticks.
struct PlanAdmissionTests {
    final class Clock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    }

    @Test func refusalsBackOffToFiveMinutesAndAdmissionSticks() async throws {
        let cluster = try await SimCluster.start("admission")
        let sim = cluster.sim, admin = cluster.admin
        defer { Task { await sim.stop() } }
        let clock = Clock()
        let admission = PlanAdmission(home: admin, targets: TargetClients(home: admin, policy: TenancyPolicy()), now: { clock.now.withLock { $0 } })
        let spec = EvolutionSpec(steps: [Step(name: "a", manifests: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]]])],
                                 serviceAccountName: "deployer")
        let account = EvolutionAccount(namespace: "default", name: "deployer")
        let key = ControllerRuntime.ObjectKey(namespace: "default", name: "e")
        var waits: [TimeInterval] = []
        for _ in 0..<7 {
            let verdict = try await admission.verdict(for: key, uid: "u1", generation: 1, spec: spec, account: account, namespace: "default", began: .now)
            #expect(verdict.refusal?.reason == "ServiceAccountNotFound")
            let wait = try #require(verdict.recheckAt).timeIntervalSince(clock.now.withLock { $0 })
            waits.append(wait)
            // Before the recheck is due, the verdict is remembered, not asked for again.
            clock.advance(wait / 2)
            let early = try await admission.verdict(for: key, uid: "u1", generation: 1, spec: spec, account: account, namespace: "default", began: .now)
            #expect(early.recheckAt == verdict.recheckAt)
            clock.advance(wait / 2)
        }
        #expect(waits == [10, 20, 40, 80, 160, 300, 300])

        // The account appears: the next check admits, and an admitted plan is not checked again.
        _ = try await admin.create(.serviceAccounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "deployer"]], namespace: "default")
        let admitted = try await admission.verdict(for: key, uid: "u1", generation: 1, spec: spec, account: account, namespace: "default", began: .now)
        #expect(admitted.refusal == nil && admitted.recheckAt == nil)
        try await admin.delete(.serviceAccounts, name: "deployer", namespace: "default")
        #expect(try await admission.verdict(for: key, uid: "u1", generation: 1, spec: spec, account: account, namespace: "default", began: .now).refusal == nil)
        // A new generation is a new plan: checked at once.
        #expect(try await admission.verdict(for: key, uid: "u1", generation: 2, spec: spec, account: account, namespace: "default", began: .now).refusal != nil)
    }
}
