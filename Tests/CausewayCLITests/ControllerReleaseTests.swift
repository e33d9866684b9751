import Foundation
import Testing
import TestSupport
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML

/// `causeway controller` as a process: 500 Evolutions created and deleted, four times
/// over. Its threads and open files come back to where they were, its memory stops
/// growing after the second round, and the region it watched serves no watch for it
/// any more. It runs with glibc's MALLOC_ARENA_MAX=2, as Deploy/base runs it: with one
/// arena per thread, freed memory scattered over the transfer threads' arenas kept RSS
/// creeping up by ~7 MiB per 500 Evolutions, though nothing was held.
/// RELEASE_COUNT and RELEASE_ROUNDS change the size, for exploring.
@Suite(.serialized) struct ControllerReleaseTests {
    static let count = Int(ProcessInfo.processInfo.environment["RELEASE_COUNT"] ?? "500") ?? 500

    struct Usage: CustomStringConvertible {
        var threads: Int
        var files: Int
        var rssKiB: Int

        init(pid: Int32) {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            func field(_ name: String) -> Int {
                let line = text.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
                return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } ?? -1
            }
            threads = field("Threads")
            rssKiB = field("VmRSS")
            files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }

        var description: String { "\(threads) threads, \(files) open files, \(rssKiB / 1024) MiB RSS" }
    }

    @Test func fiveHundredEvolutionsCreatedAndDeletedFourTimesLeaveTheControllerAsItWas() async throws {
        let homeCluster = try await SimCluster.start("release-home", tls: true) {
            $0.rules["system:serviceaccount:default:default"] = [AccessRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], namespaces: ["default"])]
        }
        let regionCluster = try await SimCluster.start("release-region", tls: true) { $0.historyWindow = 1_000 }
        let region = regionCluster.sim, admin = homeCluster.admin
        defer { Task { await homeCluster.stop(); await regionCluster.stop() } }
        let dir = NSTemporaryDirectory() + "causeway-release-\(UUID().uuidString)"
        let kubeconfig = try homeCluster.writeKubeconfig(in: dir)
        try await admin.installEvolutionCRD()
        try await admin.createNamespace("causeway-system")
        for s in 0..<10 { try await admin.storeKubeconfig(of: regionCluster, secret: "region-\(s)") }
        for i in 0..<Self.count { try await regionCluster.admin.createNamespace("ns-\(i)") }
        let controller = try CausewayBinary.startController(kubeconfig: kubeconfig, ledger: dir + "/ledger", log: dir + "/controller.log",
                                                                  environment: ["MALLOC_ARENA_MAX": "2"])
        defer { kill(controller.processIdentifier, SIGKILL) }

        var usage: [Usage] = []
        for round in 0..<(Int(ProcessInfo.processInfo.environment["RELEASE_ROUNDS"] ?? "4") ?? 4) {
            for i in 0..<Self.count {
                _ = try await admin.create(.evolutions, try YAML.parse(Fixtures.watchingForever(name: "e\(round)-\(i)", secret: "region-\(i % 10)", configMap: "cm", objectNamespace: "ns-\(i)")), namespace: "default")
            }
            try await eventually("the controller watches every object (round \(round))", timeout: .seconds(180)) { region.watchCount >= Self.count }
            for i in 0..<Self.count { try await admin.delete(.evolutions, name: "e\(round)-\(i)", namespace: "default") }
            try await eventually("the controller stopped watching (round \(round))", timeout: .seconds(120)) { region.watchCount == 0 }
            try await Task.sleep(for: .seconds(1))  // threads of released clients wind down
            usage.append(Usage(pid: controller.processIdentifier))
            print("after round \(round + 1): \(usage.last!)")
        }
        #expect(usage[3].threads <= usage[0].threads + 2, "threads: \(usage)")
        #expect(usage[3].files <= usage[0].files + 4, "open files: \(usage)")
        #expect(usage[3].rssKiB <= usage[1].rssKiB + 8 * 1024, "memory grew from round 2 to 4: \(usage)")
    }
}
