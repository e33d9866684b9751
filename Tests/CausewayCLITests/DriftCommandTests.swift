import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import TestSupport

/// `causeway drift` as a pipeline gate: exit 0 with no drift, 1 with drift (a table or JSON
/// naming who changed what), 2 when a target cannot be checked.
@Suite(.serialized) struct DriftCommandTests {
    @Test func exitsZeroOneOrTwoAndNamesWhoChangedWhat() async throws {
        let clusters = try await HomeAndRegion.start(home: "drift-cli-home")
        let home = clusters.home, region = clusters.region
        let dir = NSTemporaryDirectory() + "drift-cli-\(UUID().uuidString)"
        let homeConfig = try home.writeKubeconfig(in: dir), regionConfig = try region.writeKubeconfig(in: dir)
        try await home.admin.create(yaml: Fixtures.gatewayEvolution())
        let controller = EvolutionController(client: home.admin, options: .init(ledger: .configMaps))
        let running = Task { await controller.run() }
        _ = try await home.admin.waitFor(.evolutions, "gw") { $0[path: "status", "phase"] == "Converged" }
        running.cancel()
        await running.value

        var run = try await CLITests.causeway(["drift", "-A", "--kubeconfig", homeConfig])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout == "no drift: 1 objects of 1 Evolutions match what they applied\n")

        let patched = try await Command.kubectl(["patch", "configmap", "gateway", "-n", "default", "--type", "merge",
                                                 "-p", #"{"data":{"allowRoles":"everyone"}}"#], kubeconfig: regionConfig)
        #expect(patched.status == 0, "\(patched.stderr)")
        run = try await CLITests.causeway(["drift", "--kubeconfig", homeConfig, "-n", "default"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.first == "EVOLUTION TARGET OBJECT FIELDS WHO WHEN POLICY STATE")
        #expect(lines.dropFirst().first?.hasPrefix("default/gw eu-west v1 ConfigMap default/gateway .data.allowRoles kubectl-patch (Update) ") == true,
                "\(run.stdout)")
        #expect(lines.dropFirst().first?.hasSuffix(" Report New") == true, "the controller was stopped: not recorded yet")
        run = try await CLITests.causeway(["drift", "gw", "--kubeconfig", homeConfig, "-o", "json"])
        #expect(run.status == 1)
        let report = try JSON.parse(Array(run.stdout.utf8))
        #expect(report["checkedObjects"] == 1)
        #expect(report[path: "drifted"]?[0]?["manager"] == "kubectl-patch")
        #expect(report[path: "drifted"]?[0]?["fields"] == [".data.allowRoles"])

        await region.stop()
        run = try await CLITests.causeway(["drift", "-A", "--kubeconfig", homeConfig])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("unchecked: default/gw on eu-west:"), "\(run.stderr)")
        await home.stop()
    }
}
