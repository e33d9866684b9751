import Foundation
import Testing
import EvolutionAPI
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Ledger
import TestSupport

/// A tenant can edit the ledger ConfigMaps in her namespace, but not the anchor the
/// controller keeps in the Evolution's status nor its signing key: `causeway ledger
/// verify` (the real binary) names each tampering, and an untouched ledger verifies
/// across controller restarts.
@Suite(.serialized) struct LedgerAnchorTests {
    static let steps = (1...4).map { "s\($0)" }

    @Test func verifyNamesEveryTamperingAndPassesAnUntouchedLedgerAfterRestarts() async throws {
        let cluster = try await SimCluster.start("anchors", tls: true) { $0.rules["system:serviceaccount:default:default"] = [.all] }
        defer { Task { await cluster.stop() } }
        let admin = cluster.admin
        let dir = NSTemporaryDirectory() + "causeway-anchors-\(UUID().uuidString)"
        let kubeconfig = try cluster.writeKubeconfig(in: dir)
        try await admin.installEvolutionCRD()
        try await admin.createNamespace("causeway-system")
        let stepsYAML = Self.steps.map { "    - {name: \($0), apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: \($0)}}]}, converge: {stableFor: 300ms}}" }
        _ = try await admin.create(.evolutions, try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: anchored, namespace: default}
            spec:
              steps:
            \(stepsYAML.joined(separator: "\n"))
            """), namespace: "default")

        // Three restarts mid-flight, each reading the key Secret again; then run to the end.
        var keyIDs: Set<String> = []
        for run in 0..<4 {
            let controller = try CausewayBinary.startController(kubeconfig: kubeconfig, log: dir + "/controller.log")
            if run < 3 {
                try await Task.sleep(for: .milliseconds(500))  // killed mid-flight
            } else {
                _ = try await admin.waitFor(.evolutions, "anchored") { $0[path: "status", "phase"] == "Converged" }
            }
            await CausewayBinary.kill9(controller)
            if let keyID = try await admin.get(.evolutions, name: "anchored", namespace: "default")[path: "status", "ledger", "keyID"]?.stringValue {
                keyIDs.insert(keyID)
            }
        }
        let evolution = try await admin.get(.evolutions, name: "anchored", namespace: "default")
        #expect(evolution[path: "status", "phase"] == "Converged")
        #expect(keyIDs.count == 1, "one key across restarts: \(keyIDs)")
        let ledgerStatus = evolution[path: "status", "ledger"]
        #expect(ledgerStatus?["backend"] == "configmap")
        #expect(ledgerStatus?["segment"]?.stringValue?.hasPrefix("causeway-ledger-anchored-") == true)

        func verify() async throws -> CommandRun {
            try await CLITests.causeway(["ledger", "verify", "anchored", "-n", "default", "--kubeconfig", kubeconfig])
        }
        var result = try await verify()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("valid, \(ledgerStatus?["entries"]?.intValue ?? -1) entries"), "\(result.stdout)")
        #expect(!result.stdout.contains("note:"), "everything was checked: \(result.stdout)")

        let ref = EvolutionRef(namespace: "default", name: "anchored", uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        // A ledger labelled with a made-up uid under the same name is not the one verify reads.
        let decoy = EvolutionRef(namespace: "default", name: "anchored", uid: "ffffffff-ffff-4fff-bfff-ffffffffffff")
        let decoyLedger = try await Ledger(evolution: decoy, store: ConfigMapLedgerStore(client: admin, evolution: decoy))
        _ = try await decoyLedger.append(EntryDraft(id: "d", event: .declared, generation: 1, actor: "mallory"))
        result = try await verify()
        #expect(result.status == 0 && result.stdout.contains(ref.uid), "\(result.stdout)")
        let segmentName = try #require(ledgerStatus?["segment"]?.stringValue)
        let original = try await admin.get(.configMaps, name: segmentName, namespace: "default")
        let entries = try await ConfigMapLedgerStore(client: admin, evolution: ref).load()
        func write(_ segment: JSON) async throws {
            var s = segment
            s["metadata"]?["resourceVersion"] = try await admin.get(.configMaps, name: segmentName, namespace: "default")[path: "metadata", "resourceVersion"]
            _ = try await admin.update(.configMaps, s)
        }
        func segment(with lines: [LedgerEntry], checkpoint: JSON?) -> JSON {
            var s = original
            s["data"] = [ConfigMapLedgerStore.dataKey: .string(LedgerRendering.jsonLines(lines))]
            s["metadata"]?["annotations"]?[ConfigMapLedgerStore.headSeqAnnotation] = .string(String(lines.last!.seq))
            s["metadata"]?["annotations"]?[ConfigMapLedgerStore.headHashAnnotation] = .string(lines.last!.hash.hex)
            s["metadata"]?["annotations"]?[ConfigMapLedgerStore.checkpointAnnotation] = checkpoint
            return s
        }

        // 1. An entry edited in place: a broken link.
        var edited = original
        let text = original[path: "data", ConfigMapLedgerStore.dataKey]?.stringValue ?? ""
        edited["data"] = [ConfigMapLedgerStore.dataKey: .string(text.replacingOccurrences(of: "\"event\":\"Completed\"", with: "\"event\":\"Halted\""))]
        try await write(edited)
        result = try await verify()
        #expect(result.status == 1)
        #expect(result.stdout.contains("broken link"), "\(result.stdout)")
        try await write(original)

        // 2. The newest entries cut off (annotations made consistent): a head mismatch against status.
        try await write(segment(with: Array(entries.dropLast(3)), checkpoint: nil))
        result = try await verify()
        #expect(result.status == 1)
        #expect(result.stdout.contains("head mismatch") && result.stdout.contains("are missing"), "\(result.stdout)")
        try await write(original)

        // 3. The whole chain rewritten consistently, with a made-up checkpoint: a head mismatch
        // against status and a bad signature on the segment's checkpoint.
        let chain = LedgerChain(evolution: ref)
        let drafts = entries.map { EntryDraft(id: $0.id, event: $0.event, generation: $0.generation, step: $0.step, target: $0.target,
                                               actor: "mallory", detail: $0.detail, at: $0.at) }
        let plan = try chain.plan(drafts, now: entries[0].at)
        let rewritten = plan.newEntries
        let stolen = try #require(EvolutionStatus(json: evolution["status"]).ledger?.checkpoint)
        var forged = stolen
        forged.hash = rewritten.last!.hash
        try await write(segment(with: rewritten, checkpoint: .string(forged.json.serializedString())))
        result = try await verify()
        #expect(result.status == 1)
        #expect(result.stdout.contains("head mismatch") && result.stdout.contains("bad signature"), "\(result.stdout)")
        // Even someone who may also write status cannot sign: with the anchor moved too, the signature still fails.
        var moved = evolution
        moved["status"]?["ledger"]?["headHash"] = .string(rewritten.last!.hash.hex)
        _ = try await admin.updateStatus(.evolutions, moved)
        result = try await verify()
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad signature: the status anchor"), "\(result.stdout)")
        #expect(!result.stdout.contains("head mismatch"), "\(result.stdout)")
    }
}
