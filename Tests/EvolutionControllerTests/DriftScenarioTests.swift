import Foundation
import Testing
import ControllerRuntime
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Ledger
import TestSupport

/// Out-of-band change, end to end: real kubectl changes what an Evolution applied in a
/// region; the controller finds it from its watch, names the field manager, records it once
/// in the ledger, status, a Warning Event and a metric, and acts as spec.drift.policy says.
@Suite(.serialized) struct DriftScenarioTests {
    struct World {
        var home: SimCluster
        var region: SimCluster
        /// The region's kubeconfig, for kubectl.
        var kubeconfig: String
        var metrics: RuntimeMetricsBox
        var task: Task<Void, Never>

        func stop() async {
            task.cancel()
            await task.value
            await home.stop()
            await region.stop()
        }

        func kubectl(_ arguments: [String]) async throws {
            let run = try await Command.kubectl(arguments + ["-n", "default"], kubeconfig: kubeconfig)
            #expect(run.status == 0, "kubectl \(arguments.joined(separator: " ")): \(run.stderr)")
        }

        func evolution() async throws -> JSON { try await home.admin.get(.evolutions, name: "gw", namespace: "default") }

        /// The ledger's entries, as `causeway ledger` reads them.
        func ledger() async throws -> [LedgerEntry] {
            let found = try await ConfigMapLedgerStore.ledgers(client: home.admin, namespace: "default", name: "gw")
            return try await ConfigMapLedgerStore(client: home.admin, evolution: try #require(found.first).evolution).load()
        }

        func restartController() async -> World {
            task.cancel()
            await task.value
            var next = self
            (next.metrics, next.task) = DriftScenarioTests.runController(home.admin)
            return next
        }
    }

    /// Holds the controller's metrics across restarts.
    final class RuntimeMetricsBox: Sendable {
        let metrics: RuntimeMetrics
        init(_ metrics: RuntimeMetrics) { self.metrics = metrics }
        func has(_ line: String) -> Bool { metrics.registry.render().contains(line) }
    }

    static func runController(_ client: KubeClient) -> (RuntimeMetricsBox, Task<Void, Never>) {
        let options = EvolutionController.Options(ledger: .configMaps)
        let controller = EvolutionController(client: client, options: options)
        return (RuntimeMetricsBox(options.metrics), Task { await controller.run() })
    }

    static func start(policy: String) async throws -> World {
        let clusters = try await HomeAndRegion.start(home: "drift-home")
        let home = clusters.home, region = clusters.region
        let kubeconfig = try region.writeKubeconfig(in: NSTemporaryDirectory() + "drift-\(UUID().uuidString)")
        try await home.admin.create(yaml: Fixtures.gatewayEvolution(policy: policy))
        let (metrics, task) = runController(home.admin)
        let world = World(home: home, region: region, kubeconfig: kubeconfig, metrics: metrics, task: task)
        _ = try await home.admin.waitFor(.evolutions, "gw") { $0[path: "status", "phase"] == "Converged" }
        return world
    }

    static func deviations(_ evolution: JSON) -> [JSON] { evolution[path: "status", "drift", "deviations"]?.arrayValue ?? [] }

    @Test func kubectlPatchOfAnOwnedFieldIsOneDeviationSeenFourWays() async throws {
        let world = try await Self.start(policy: "Report")
        defer { Task { await world.stop() } }
        try await world.kubectl(["patch", "configmap", "gateway", "--type", "merge", "-p", #"{"data":{"allowRoles":"everyone"}}"#])
        let drifted = try await world.home.admin.waitFor(.evolutions, "gw") { $0[path: "status", "drifted"] == 1 }
        let deviation = try #require(Self.deviations(drifted).first)
        #expect(deviation["manager"] == "kubectl-patch" && deviation["operation"] == "Update" && deviation["kind"] == "Changed")
        #expect(deviation["fields"] == [".data.allowRoles"] && deviation["target"] == "eu-west" && deviation["state"] == "Unresolved")
        let condition = drifted[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Drifted" }
        #expect(condition?["status"] == "True")
        #expect(condition?["message"]?.stringValue?.contains("Changed .data.allowRoles of v1 ConfigMap default/gateway on eu-west by kubectl-patch (Update)") == true)
        #expect(drifted[path: "status", "phase"] == "Converged")
        let warnings = try await world.home.admin.list(.events, namespace: "default").items.filter { $0["reason"] == "Drifted" }
        #expect(warnings.count == 1 && warnings.first?["type"] == "Warning")
        try await eventually("the metric counts it") {
            world.metrics.has(#"causeway_drifted_objects{evolution="gw",namespace="default",target="eu-west"} 1"#)
        }

        // A label another manager adds is not Causeway's field; a second change of the owned one is
        // a second deviation, and the ledger holds exactly the two (the label made none).
        try await world.kubectl(["label", "configmap", "gateway", "team=edge"])
        try await world.kubectl(["patch", "configmap", "gateway", "--type", "merge", "-p", #"{"data":{"allowRoles":"nobody"}}"#])
        _ = try await world.home.admin.waitFor(.evolutions, "gw") { Self.deviations($0).first?["liveHash"] != deviation["liveHash"] }
        let recorded = try await world.ledger().filter { $0.event == .deviation }
        #expect(recorded.count == 2, "\(recorded.map(\.detail))")
        #expect(recorded.allSatisfy { $0.detail["manager"] == "kubectl-patch" })
        // `causeway audit` says who changed what, outside the governed path.
        let audit = try LedgerRendering.audit(try await world.ledger())
        #expect(audit.contains("Out-of-band changes:\n"), "\(audit)")
        #expect(audit.contains(" Changed .data.allowRoles of v1 ConfigMap default/gateway on eu-west by kubectl-patch (Update)\n"), "\(audit)")
    }

    @Test func aForcedServerSideApplyByAnotherManagerIsAnOwnershipTakeover() async throws {
        let world = try await Self.start(policy: "Report")
        defer { Task { await world.stop() } }
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gateway, namespace: default}\ndata: {allowRoles: everyone}\n"
        let run = try await Command.kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=hotfix", "-f", "-"],
                                            kubeconfig: world.kubeconfig, stdin: manifest)
        #expect(run.status == 0, "\(run.stderr)")
        let drifted = try await world.home.admin.waitFor(.evolutions, "gw") { $0[path: "status", "drifted"] == 1 }
        let deviation = try #require(Self.deviations(drifted).first)
        #expect(deviation["kind"] == "TakenOver" && deviation["manager"] == "hotfix" && deviation["operation"] == "Apply")
        #expect(deviation["fields"] == [".data.allowRoles"])
    }

    @Test func aDeletedObjectIsRecreatedUnderRevert() async throws {
        let world = try await Self.start(policy: "Revert")
        defer { Task { await world.stop() } }
        try await world.kubectl(["delete", "configmap", "gateway"])
        let reverted = try await world.home.admin.waitFor(.evolutions, "gw") { Self.deviations($0).first?["state"] == "Reverted" }
        #expect(Self.deviations(reverted).first?["kind"] == "Deleted")
        #expect(reverted[path: "status", "drifted"] == 0)
        let recreated = try await world.region.admin.get(.configMaps, name: "gateway", namespace: "default")
        #expect(recreated[path: "data", "allowRoles"] == "admins")
        let entries = try await world.ledger()
        let events = entries.map(\.event)
        #expect(events.filter { $0 == .deviation }.count == 1 && events.filter { $0 == .reverted }.count == 1)
        #expect(try LedgerRendering.audit(entries).contains(" Reverted v1 ConfigMap default/gateway on eu-west\n"))
    }

    @Test func aChangeMadeWhileTheControllerWasStoppedIsFoundAtStartOnce() async throws {
        var world = try await Self.start(policy: "Report")
        defer { let last = world; Task { await last.stop() } }
        world.task.cancel()
        await world.task.value
        try await world.kubectl(["patch", "configmap", "gateway", "--type", "merge", "-p", #"{"data":{"allowRoles":"everyone"}}"#])
        world = await world.restartController()
        _ = try await world.home.admin.waitFor(.evolutions, "gw") { $0[path: "status", "drifted"] == 1 }
        world = await world.restartController()
        try await eventually("the restarted controller has looked again") {
            world.metrics.has(#"causeway_drifted_objects{evolution="gw",namespace="default",target="eu-west"} 1"#)
        }
        #expect(try await world.ledger().filter { $0.event == .deviation }.count == 1)
    }
}
