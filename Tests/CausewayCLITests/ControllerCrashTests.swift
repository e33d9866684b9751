import Foundation
import Testing
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Ledger

/// `causeway controller` SIGKILLed at random moments and restarted: it never
/// re-orders steps, never applies a step before its predecessor converged,
/// never re-applies a converged step, and never loses or duplicates a ledger entry.
@Suite(.serialized) struct ControllerCrashTests {
    static let evolutions = APIResource(group: "causeway.dev", version: "v1alpha1", name: "evolutions", kind: "Evolution", namespaced: true)
    static let steps = ["s1", "s2", "s3", "s4"]
    static let stableFor = 0.15

    @Test func sigkillAtRandomMomentsKeepsEveryGuarantee() async throws {
        // The Evolutions act as their namespace's default account: let it apply on this cluster.
        let cluster = try await SimCluster.start("crash", tls: true) { $0.rules["system:serviceaccount:default:default"] = [.all] }
        let sim = cluster.sim, client = cluster.admin
        let dir = NSTemporaryDirectory() + "causeway-crash-\(UUID().uuidString)"
        let kubeconfig = try cluster.writeKubeconfig(in: dir)
        try await client.installEvolutionCRD()
        // The controller's own namespace, where it keeps its ledger signing key.
        try await client.createNamespace("causeway-system")

        var rng = SystemRandomNumberGenerator()
        let trials = 20
        var midFlightKills = 0
        for trial in 0..<trials {
            let name = "crash-\(trial)"
            let stepsYAML = Self.steps.map { step in
                "    - name: \(step)\n      apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: \(name)-\(step)}, data: {k: v}}]}\n      converge: {stableFor: 150ms}"
            }.joined(separator: "\n")
            _ = try await client.create(Self.evolutions, try YAML.parse("""
                apiVersion: causeway.dev/v1alpha1
                kind: Evolution
                metadata: {name: \(name), namespace: default}
                spec:
                  steps:
                \(stepsYAML)
                """), namespace: "default")
            // Kill and restart at random moments until the evolution has converged.
            var converged = false
            for _ in 0..<12 where !converged {
                let controller = try CausewayBinary.startController(kubeconfig: kubeconfig, ledger: dir + "/ledger", log: dir + "/controller.log")
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...700, using: &rng)))
                converged = try await client.get(Self.evolutions, name: name, namespace: "default")[path: "status", "phase"] == "Converged"
                await CausewayBinary.kill9(controller)
                if !converged { midFlightKills += 1 }
            }
            if !converged {
                let controller = try CausewayBinary.startController(kubeconfig: kubeconfig, ledger: dir + "/ledger", log: dir + "/controller.log")
                converged = (try? await client.waitFor(Self.evolutions, name, timeout: .seconds(15)) { $0[path: "status", "phase"] == "Converged" }) != nil
                await CausewayBinary.kill9(controller)
            }
            #expect(converged, "trial \(trial) never converged; see \(dir)/controller.log")

            // The server's record: each step written once with a change, in order, after its predecessor held stableFor.
            let writes = sim.writeLog.filter { $0.resource == "configmaps" && $0.name.hasPrefix(name + "-") }
            var previousFirst: Date?
            for step in Self.steps {
                let mine = writes.filter { $0.name == "\(name)-\(step)" }
                #expect(mine.filter(\.changed).count == 1, "trial \(trial): \(step) changed \(mine.filter(\.changed).count) times")
                let first = try #require(mine.first?.time, "trial \(trial): \(step) never applied")
                if let previousFirst {
                    #expect(first.timeIntervalSince(previousFirst) >= Self.stableFor - 0.01,
                            "trial \(trial): \(step) applied \(first.timeIntervalSince(previousFirst))s after its predecessor")
                }
                previousFirst = first
            }
            // The ledger: one valid chain, no duplicate ids, each step applied and converged once.
            let evolution = try await client.get(Self.evolutions, name: name, namespace: "default")
            let ref = EvolutionRef(namespace: "default", name: name, uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
            let entries = try FileLedgerStore.read(directory: dir + "/ledger", evolution: ref).entries
            #expect(LedgerVerifier.verify(entries, evolution: ref).violation == nil, "trial \(trial): ledger chain broken")
            for step in Self.steps {
                #expect(entries.filter { $0.event.description == "StepConverged" && $0.step == step && $0.target != nil }.count == 1,
                        "trial \(trial): \(step) converged more than once in the ledger")
            }
        }
        // Most kills must land mid-evolution, or the test proves nothing.
        #expect(midFlightKills >= trials, "only \(midFlightKills) kills landed before convergence")
        await sim.stop()
    }
}
