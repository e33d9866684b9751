import Foundation
import Testing
import TestSupport
import ControllerRuntime
@testable import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML

/// State ends with its Evolution: watches, kubeconfig clients (a thread each), open
/// ledgers (a file lock each) and what the controller remembered go when the Evolution
/// does. (ControllerReleaseTests measures the controller process itself over 500.)
@Suite(.serialized) struct LifecycleReleaseTests {
    static let count = 100

    struct Process {
        static func status(_ field: String) -> Int {
            let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } ?? -1
        }
        static var threads: Int { status("Threads") }
        static var rssKiB: Int { status("VmRSS") }
        static var openFiles: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }
    }

    @Test func deletedEvolutionsLeaveNoWatchClientLedgerOrThreadBehind() async throws {
        let homeCluster = try await SimCluster.start("release") {
            $0.rules["system:serviceaccount:default:default"] = [AccessRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], namespaces: ["default"])]
        }
        let homeSim = homeCluster.sim, home = homeCluster.admin
        let regionCluster = try await SimCluster.start("release-region", tls: true)
        let regionSim = regionCluster.sim, region = regionCluster.admin
        defer { Task { await homeSim.stop(); await regionSim.stop() } }
        try await home.installEvolutionCRD()
        for s in 0..<10 { try await home.storeKubeconfig(of: regionCluster, secret: "region-\(s)") }
        for i in 0..<Self.count { try await region.createNamespace("ns-\(i)") }
        let dir = NSTemporaryDirectory() + "causeway-release-\(UUID().uuidString)"
        let controller = EvolutionController(client: home, options: .init(ledgerDirectory: dir))
        let running = Task { await controller.run() }
        defer { running.cancel() }

        /// One cycle: `count` Evolutions that each watch an object of their own on the region
        /// (a check that never holds keeps them watching), then all deleted.
        func cycle(_ round: Int) async throws {
            for i in 0..<Self.count {
                _ = try await home.create(.evolutions, try YAML.parse(Fixtures.watchingForever(name: "e\(round)-\(i)", secret: "region-\(i % 10)", configMap: "cm-\(round)", objectNamespace: "ns-\(i)")), namespace: "default")
            }
            try await eventually("every Evolution watches its object", timeout: .seconds(120)) { controller.observed.watchCount == Self.count }
            for i in 0..<Self.count { try await home.delete(.evolutions, name: "e\(round)-\(i)", namespace: "default") }
            try await eventually("everything is released", timeout: .seconds(60)) {
                controller.observed.watchCount == 0 && controller.reconciler.targets.keptClients == 0 && controller.reconciler.ledgers.openCount == 0
            }
        }

        try await cycle(0)
        try await Task.sleep(for: .milliseconds(500))  // cancelled watches and threads wind down
        let threads = Process.threads, files = Process.openFiles, rss = Process.rssKiB, watches = regionSim.watchCount
        print("after cycle 1: \(threads) threads, \(files) open files, \(rss / 1024) MiB RSS, \(watches) watches on the region")
        try await cycle(1)
        try await Task.sleep(for: .milliseconds(500))
        print("after cycle 2: \(Process.threads) threads, \(Process.openFiles) open files, \(Process.rssKiB / 1024) MiB RSS, \(regionSim.watchCount) watches on the region")
        #expect(regionSim.watchCount == 0, "the region still serves \(regionSim.watchCount) watches")
        // (Threads, files and memory of a process are measured where nothing else runs: ControllerReleaseTests.)
        _ = (threads, files, rss)
    }
}
