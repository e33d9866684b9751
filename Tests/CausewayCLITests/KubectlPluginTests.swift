import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import TestSupport

/// `kubectl causeway VERB` through real kubectl, which finds the binary as `kubectl-causeway`
/// on the PATH: every verb against KubeSim, JSON parsed back, errors as one line and an exit.
@Suite(.serialized) struct KubectlPluginTests {
    /// A PATH holding `kubectl-causeway` (a symlink to the built binary), for kubectl to find.
    static func pluginPath() throws -> String {
        let dir = NSTemporaryDirectory() + "plugin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/kubectl-causeway", withDestinationPath: try CausewayBinary.required().path)
        return dir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }

    /// A TLS cluster with the CRD, `evolution` created, and the controller running on it.
    static func start(_ name: String, evolution: String) async throws -> (SimCluster, Task<Void, Never>) {
        let cluster = try await SimCluster.start(name, tls: true)
        try await cluster.admin.installEvolutionCRD()
        try await cluster.admin.grantClusterAdmin()
        try await cluster.admin.create(yaml: evolution)
        let controller = EvolutionController(client: cluster.admin, options: .init(ledger: .configMaps))
        return (cluster, Task { await controller.run() })
    }

    @Test func everyVerbThroughKubectl() async throws {
        let (cluster, running) = try await Self.start("plugin", evolution: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: rollout, namespace: default}
            spec:
              steps:
                - {name: roles, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: roles}}]}}
                - {name: flag, acknowledge: {required: true}, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: flag}}]}}
            """)
        defer { running.cancel(); Task { await cluster.stop() } }
        _ = try await cluster.admin.waitFor(.evolutions, "rollout") { $0[path: "status", "steps"]?[1]?["phase"] == "WaitingForAcknowledgment" }

        let dir = NSTemporaryDirectory() + "plugin-home-\(UUID().uuidString)"
        let kubeconfig = try cluster.writeKubeconfig(in: dir)
        let path = try Self.pluginPath()
        func plugin(_ arguments: [String]) async throws -> CommandRun {
            try await Command.run(["kubectl", "causeway"] + arguments, environment: ["PATH": path, "KUBECONFIG": kubeconfig, "HOME": dir])
        }

        var run = try await plugin(["get"])
        #expect(run.status == 0, "\(run.stderr)")
        let row = run.stdout.split(separator: "\n").dropFirst().first.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(row == "rollout Progressing 1/2 flag 0", "\(run.stdout)")
        run = try await plugin(["get", "-A", "-o", "json"])
        #expect(try JSON.parse(Array(run.stdout.utf8))["items"]?[0]?[path: "metadata", "name"] == "rollout")

        run = try await plugin(["status", "rollout"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("default/rollout: Progressing 1/2"), "\(run.stdout)")
        let grid = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(grid.contains("STEP SYNC local") && grid.contains("roles Lockstep converged") && grid.contains("flag Lockstep awaiting ack"), "\(run.stdout)")

        run = try await plugin(["ack", "rollout", "nope"])
        #expect(run.status == 1 && run.stderr == "Error: step \"nope\" is not in evolution rollout; its steps: roles, flag\n", "\(run.stderr)")
        run = try await plugin(["ack", "missing", "flag"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("Error: cannot read evolution \"missing\" in namespace \"default\": not found"), "\(run.stderr)")

        run = try await plugin(["pause", "rollout"])
        #expect(run.status == 0 && run.stdout == "evolution.causeway.dev/rollout: paused\n", "\(run.stdout)\(run.stderr)")
        #expect(try await cluster.admin.get(.evolutions, name: "rollout", namespace: "default")[path: "spec", "paused"] == true)
        run = try await plugin(["resume", "rollout"])
        #expect(run.status == 0)
        run = try await plugin(["ack", "rollout", "flag", "--reason", "change board 42"])
        #expect(run.status == 0 && run.stdout == "evolution.causeway.dev/rollout: acknowledged step flag\n", "\(run.stderr)")
        _ = try await cluster.admin.waitFor(.evolutions, "rollout") { $0[path: "status", "phase"] == "Converged" }

        run = try await plugin(["ledger", "rollout"])
        #expect(run.status == 0 && run.stdout.contains("Acknowledged"), "\(run.stdout)\(run.stderr)")
        run = try await plugin(["verify", "rollout", "--controller-namespace", "default", "--allow-unanchored"])
        #expect(run.stdout.contains("valid"), "\(run.stdout)\(run.stderr)")
        run = try await plugin(["audit", "rollout", "--allow-unanchored"])
        #expect(run.stdout.contains("roles→flag") || run.stdout.contains("roles → flag"), "\(run.stdout)\(run.stderr)")
        run = try await plugin(["drift", "-A"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        run = try await plugin(["retry", "rollout", "roles"])
        #expect(run.status == 0)
        #expect(try await cluster.admin.get(.evolutions, name: "rollout", namespace: "default")[path: "metadata", "annotations", "retry.causeway.dev/step"] == "roles")
    }

    /// `ledger EVO --follow` prints what is there, then each entry as it is appended.
    @Test func ledgerFollowPrintsEntriesAsTheyLand() async throws {
        let (cluster, running) = try await Self.start("follow", evolution: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: followed, namespace: default}
            spec:
              steps: [{name: flag, acknowledge: {required: true}, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: flag}}]}}]
            """)
        defer { running.cancel(); Task { await cluster.stop() } }
        _ = try await cluster.admin.waitFor(.evolutions, "followed") { $0[path: "status", "steps"]?[0]?["phase"] == "WaitingForAcknowledgment" }
        let dir = NSTemporaryDirectory() + "follow-\(UUID().uuidString)"
        let kubeconfig = try cluster.writeKubeconfig(in: dir)
        let follower = try CausewayBinary.start(["ledger", "followed", "--follow", "--kubeconfig", kubeconfig, "--allow-unanchored"],
                                                log: dir + "/follow.log")
        defer { kill(follower.processIdentifier, SIGKILL) }
        _ = try await CausewayBinary.line(in: dir + "/follow.log", startingWith: "1 ")
        _ = try await cluster.admin.patch(.evolutions, name: "followed", namespace: "default",
                                          .merge(["metadata": ["annotations": ["ack.causeway.dev/flag": "approved"]]]))
        try await eventually("the acknowledgment and what followed it are printed as they land") {
            let text = String(decoding: FileManager.default.contents(atPath: dir + "/follow.log") ?? Data(), as: UTF8.self)
            return text.contains("Acknowledged") && text.contains("Completed")
        }
        #expect(follower.isRunning, "following goes on until interrupted")
    }
}
