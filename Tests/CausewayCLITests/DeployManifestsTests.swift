import Foundation
import Testing
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import TestSupport

/// Every kustomization under Deploy/ renders with kubectl and is accepted by the API server
/// (a server-side dry run against KubeSim), so what the README tells operators to apply applies.
@Suite(.serialized) struct DeployManifestsTests {
    static let directories = ["Deploy/base"] + ((try? FileManager.default.contentsOfDirectory(
        atPath: Command.repository.appendingPathComponent("Deploy/overlays").path))?.sorted().map { "Deploy/overlays/\($0)" } ?? [])

    @Test func everyOverlayRendersAndIsAcceptedByTheServer() async throws {
        #expect(Self.directories.count >= 3, "\(Self.directories)")
        let cluster = try await SimCluster.start("deploy", tls: true)
        defer { Task { await cluster.stop() } }
        let kubeconfig = try cluster.writeKubeconfig(in: NSTemporaryDirectory() + "deploy-\(UUID().uuidString)")
        // What the cluster already has before Causeway: its namespace, and the Prometheus operator's CRD.
        try await cluster.admin.createNamespace("causeway-system")
        try await cluster.admin.create(yaml: """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: servicemonitors.monitoring.coreos.com}
            spec:
              group: monitoring.coreos.com
              scope: Namespaced
              names: {plural: servicemonitors, singular: servicemonitor, kind: ServiceMonitor}
              versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
            """)
        for directory in Self.directories {
            let rendered = try await Command.run(["kubectl", "kustomize", Command.repository.appendingPathComponent(directory).path])
            #expect(rendered.status == 0, "\(directory): \(rendered.stderr)")
            let applied = try await Command.kubectl(["apply", "--dry-run=server", "-f", "-"], kubeconfig: kubeconfig, stdin: rendered.stdout)
            #expect(applied.status == 0, "\(directory): \(applied.stderr)")
            let objects = try YAML.parseStream(Array(rendered.stdout.utf8))
            #expect(applied.stdout.split(separator: "\n").count == objects.count, "\(directory): one line per object\n\(applied.stdout)")
        }
        let base = try YAML.parseStream(Array(try await Command.run(["kubectl", "kustomize",
                                                                     Command.repository.appendingPathComponent("Deploy/base").path]).stdout.utf8))
        let pdb = base.first { $0["kind"] == "PodDisruptionBudget" }
        #expect(pdb?[path: "spec", "minAvailable"] == 1)
        let metrics = base.first { $0["kind"] == "Service" && $0[path: "metadata", "name"] == "causeway-controller-metrics" }
        #expect(metrics?[path: "metadata", "annotations", "prometheus.io/scrape"] == "true")
        #expect(metrics?[path: "metadata", "annotations", "prometheus.io/port"] == "8081")
    }
}
