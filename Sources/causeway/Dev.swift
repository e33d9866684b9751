import ArgumentParser
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML

/// `hack/dev.sh` runs this: the essay's three regions as embedded API servers,
/// the Evolution CRD installed, kubeconfigs written for kubectl. The
/// controller that governs them lands with issue 6; until then this says so.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Causeway locally on its embedded default: three simulated regions.")

    @Option(help: "Directory for the regions' kubeconfigs.")
    var directory: String = ".causeway-dev"

    @Flag(help: "Start, check and stop at once (for scripts and tests).")
    var once = false

    static let regions: [(name: String, propagation: Duration)] = [
        ("us-east", .milliseconds(200)), ("eu-west", .seconds(3)), ("ap-south", .milliseconds(500)),
    ]

    func run() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let crd = try Self.evolutionCRD()
        var sims: [KubeSim] = []
        for region in Self.regions {
            var options = KubeSimOptions(name: region.name)
            // The gateway policy of the essay: each region absorbs it after its own delay; eu-west is slow.
            options.simulation.propagation = [PropagationRule(group: "gateway.example", kind: "Policy", delay: region.propagation)]
            let sim = try await KubeSim.start(options)
            let path = "\(directory)/\(region.name).kubeconfig"
            try sim.writeKubeconfig(to: path)
            let client = try KubeClient(config: try KubeConfig.parse(sim.kubeconfig()).restConfig())
            if let crd { _ = try await client.create(.customResourceDefinitions, crd) }
            _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "platform"]])
            print("region \(region.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(sim.url)  gateway policies absorb in \(region.propagation)  kubeconfig \(path)")
            sims.append(sim)
        }
        print("""

            Three embedded Kubernetes API servers are running (KubeSim, HTTPS, real kubectl works):
              kubectl --kubeconfig \(directory)/eu-west.kubeconfig get crd
              kubectl --kubeconfig \(directory)/eu-west.kubeconfig apply -f Manifests/examples/essay.yaml
              kubectl --kubeconfig \(directory)/eu-west.kubeconfig get evo -A

            \(crd == nil ? "The Evolution CRD was not found (Manifests/crd/evolution.yaml); run from the repository root.\n" : "The Evolution CRD is installed in every region.\n")
            Not yet running: the Evolution controller and its ledger (issues 4–6), so Evolutions you
            apply are stored and validated but nothing progresses them yet.
            """)
        if !once {
            print("Press Ctrl-C to stop.")
            try await waitForInterrupt()
        }
        for sim in sims { await sim.stop() }
    }

    static func evolutionCRD() throws -> JSON? {
        let path = "Manifests/crd/evolution.yaml"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try YAML.parseStream(Array(data)).first
    }
}
