import Foundation
import Testing
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import TestSupport

/// Deploy/integrations/argocd/health.lua under a real Lua 5.4, against Evolutions in the states
/// the controller itself put them in: the Argo CD health each one shows.
@Suite(.serialized) struct ArgoHealthTests {
    static let script = Command.repository.appendingPathComponent("Deploy/integrations/argocd/health.lua").path

    /// A Lua table constructor for a JSON value (null is nil: absent, as in Argo's conversion).
    static func lua(_ value: JSON) -> String {
        switch value {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s):
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case .array(let items): return "{" + items.map(lua).joined(separator: ", ") + "}"
        case .object(let o): return "{" + zip(o.keys, o.values).map { "[\(lua(.string($0.0)))] = \(lua($0.1))" }.joined(separator: ", ") + "}"
        }
    }

    /// What Argo CD would show for `object`: (status, message).
    static func health(_ object: JSON) async throws -> (String, String) {
        let driver = NSTemporaryDirectory() + "argo-health-\(UUID().uuidString).lua"
        try "obj = \(lua(object))\nlocal hs = dofile(\"\(script)\")\nio.write(hs.status, \"|\", hs.message or \"\")\n"
            .write(toFile: driver, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: driver) }
        let run = try await Command.run(["lua5.4", driver])
        #expect(run.status == 0, "\(run.stderr)")
        let parts = run.stdout.split(separator: "|", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    static func evolution(_ name: String, _ spec: String) -> String {
        "apiVersion: causeway.dev/v1alpha1\nkind: Evolution\nmetadata: {name: \(name), namespace: default}\nspec:\n"
            + spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }

    @Test func eachStateShowsTheHealthArgoShouldShow() async throws {
        let cluster = try await SimCluster.start("argo")
        defer { Task { await cluster.stop() } }
        try await cluster.admin.installEvolutionCRD()
        try await cluster.admin.grantClusterAdmin()
        func configMap(_ name: String) -> String { "{apiVersion: v1, kind: ConfigMap, metadata: {name: \(name)}, data: {k: v}}" }
        let specs = [
            ("done", "steps: [{name: a, apply: {manifests: [\(configMap("done"))]}}]"),
            ("gated", "steps: [{name: a, acknowledge: {required: true}, apply: {manifests: [\(configMap("gated"))]}}]"),
            ("paused", "paused: true\nsteps: [{name: a, apply: {manifests: [\(configMap("paused"))]}}]"),
            ("slow", "steps: [{name: a, apply: {manifests: [\(configMap("slow"))]}, converge: {stableFor: 5m}}]"),
            ("halted", "steps: [{name: a, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: Not_A_Name}}]}}]"),
            ("invalid", "steps: [{name: a, after: [nowhere], apply: {manifests: [\(configMap("invalid"))]}}]"),
            ("drifted", "steps: [{name: a, apply: {manifests: [\(configMap("drifted"))]}}]"),
        ]
        // Before the controller has looked: no status yet.
        let fresh = try await cluster.admin.create(yaml: Self.evolution("done", specs[0].1))[0]
        #expect(try await Self.health(fresh) == ("Progressing", "Waiting for the Causeway controller to observe the Evolution"))
        for (name, spec) in specs.dropFirst() { try await cluster.admin.create(yaml: Self.evolution(name, spec)) }
        let controller = EvolutionController(client: cluster.admin, options: .init(ledger: .configMaps))
        let running = Task { await controller.run() }
        defer { running.cancel() }
        func settled(_ name: String, _ done: @escaping @Sendable (JSON) -> Bool) async throws -> JSON {
            try await cluster.admin.waitFor(.evolutions, name, until: done)
        }
        let phase = { (value: String) in { @Sendable (object: JSON) in object[path: "status", "phase"]?.stringValue == value } }
        _ = try await settled("drifted", phase("Converged"))
        _ = try await cluster.admin.patch(.configMaps, name: "drifted", namespace: "default", .merge(["data": ["k": "changed"]]),
                                          options: WriteOptions(fieldManager: "hotfix"))

        #expect(try await Self.health(try await settled("done", phase("Converged"))) == ("Healthy", "all 1 steps converged"))
        let gated = try await Self.health(try await settled("gated") { $0[path: "status", "steps"]?[0]?["phase"] == "WaitingForAcknowledgment" })
        #expect(gated == ("Suspended", "Step a waits for an acknowledgment: kubectl causeway ack gated a"))
        #expect(try await Self.health(try await settled("paused", phase("Paused"))).0 == "Suspended")
        #expect(try await Self.health(try await settled("slow") { $0[path: "status", "steps"]?[0]?["phase"] == "Progressing" }).0 == "Progressing")
        let halted = try await Self.health(try await settled("halted", phase("Halted")))
        #expect(halted.0 == "Degraded" && halted.1.hasPrefix("halted: a failed on local"), "\(halted)")
        #expect(try await Self.health(try await settled("invalid", phase("Invalid"))).0 == "Degraded")
        let drifted = try await Self.health(try await settled("drifted") { $0[path: "status", "drifted"] == 1 })
        #expect(drifted.0 == "Degraded" && drifted.1.contains("by hotfix (Update)"), "\(drifted)")
        // A spec the controller has not seen yet is Progressing, whatever the last status said.
        var edited = try await cluster.admin.get(.evolutions, name: "done", namespace: "default")
        let generation = edited[path: "metadata", "generation"]?.intValue ?? 1
        edited["metadata"]?["generation"] = .int(generation + 1)
        #expect(try await Self.health(edited).0 == "Progressing")
    }

    /// The argocd-cm patch carries the very script tested here.
    @Test func theConfigMapPatchEmbedsTheTestedScript() throws {
        let patch = try YAML.parse(String(contentsOfFile: Command.repository.appendingPathComponent("Deploy/integrations/argocd/argocd-cm-patch.yaml").path,
                                          encoding: .utf8))
        #expect(patch[path: "data", "resource.customizations.health.causeway.dev_Evolution"]?.stringValue == (try String(contentsOfFile: Self.script, encoding: .utf8)))
    }
}
