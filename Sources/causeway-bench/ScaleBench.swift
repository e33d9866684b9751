import ControllerRuntime
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML

/// Issue 6's scale target: N Evolutions × 4 steps × 3 regions to Ready, with the
/// controller as its own process (`causeway controller`, release build) so its
/// RSS is its own. Needs `swift build -c release --product causeway`.
func scaleBenchmarks(evolutionCount: Int) async throws -> [Row] {
    let binary = URL(fileURLWithPath: ".build/release/causeway")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw BenchError("build the controller first: swift build -c release --product causeway")
    }
    let dir = NSTemporaryDirectory() + "causeway-scale-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var homeOptions = KubeSimOptions(name: "scale-home")
    homeOptions.historyWindow = 50_000
    homeOptions.recordRequests = true
    // The controller has a name of its own, so its requests can be told from the benchmark's.
    homeOptions.tokens["controller-token"] = SimUser(name: "causeway-controller", groups: ["system:masters", "system:authenticated"])
    // The Evolutions act as default/default, which reads the region kubeconfigs; the regions' own tokens do the rest.
    homeOptions.rules["system:serviceaccount:default:default"] = [AccessRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], namespaces: ["default"])]
    let home = try await KubeSim.start(homeOptions)
    try home.writeKubeconfig(to: dir + "/home.kubeconfig", token: "controller-token")
    let client = try KubeClient(config: try KubeConfig.parse(home.kubeconfig()).restConfig())
    guard let crd = FileManager.default.contents(atPath: "Manifests/crd/evolution.yaml") else { throw BenchError("run from the repository root") }
    _ = try await client.create(.customResourceDefinitions, try YAML.parseStream(Array(crd)).first!)
    // The controller's own namespace, where it keeps its ledger signing key.
    _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "causeway-system"]])
    var regions: [KubeSim] = []
    for name in ["us-east", "eu-west", "ap-south"] {
        var options = KubeSimOptions(name: name)
        options.historyWindow = 50_000
        options.recordRequests = true
        let sim = try await KubeSim.start(options)
        regions.append(sim)
        _ = try await client.create(.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string("region-\(name)")],
                                               "data": ["kubeconfig": .string(Data(sim.kubeconfig().utf8).base64EncodedString())]],
                                    namespace: "default")
    }
    let evolutions = APIResource.evolutions
    let controller = Process()
    controller.executableURL = binary
    controller.arguments = ["controller", "--kubeconfig", dir + "/home.kubeconfig", "--ledger-directory", dir + "/ledger",
                            "--health-port", "0", "--workers", "4"]
        // BENCH_ADMISSION_WEBHOOK=1: as with the webhook installed (every applied object carries the governance mark).
        + (ProcessInfo.processInfo.environment["BENCH_ADMISSION_WEBHOOK"] == nil ? [] : ["--admission-webhook"])
    if let arenas = ProcessInfo.processInfo.environment["BENCH_ARENAS"] {
        controller.environment = ProcessInfo.processInfo.environment.merging(["MALLOC_ARENA_MAX": arenas]) { $1 }
    }
    controller.standardOutput = FileHandle.nullDevice
    controller.standardError = FileHandle.nullDevice
    try controller.run()
    defer { kill(controller.processIdentifier, SIGKILL) }

    let start = ContinuousClock.now
    for i in 0..<evolutionCount {
        let steps = (1...4).map { s in
            "    - name: s\(s)\n      apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: e\(i)-s\(s)}, data: {k: v}}]}"
        }.joined(separator: "\n")
        _ = try await client.create(evolutions, try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: e\(i), namespace: default}
            spec:
              targets:
                - {name: us-east, kubeconfigSecretRef: {name: region-us-east}}
                - {name: eu-west, kubeconfigSecretRef: {name: region-eu-west}}
                - {name: ap-south, kubeconfigSecretRef: {name: region-ap-south}}
              steps:
            \(steps)
            """), namespace: "default")
    }
    // Progress from a watch, as a dashboard would follow it: listing every Evolution each time
    // would cost the API server more than the controller's own work does, at this size.
    let watched = Informer(client: client, resource: evolutions, namespace: "default") { object in
        ["metadata": ["name": object[path: "metadata", "name"] ?? .null, "namespace": "default"],
         "status": ["phase": object[path: "status", "phase"] ?? .null]]
    }
    let watching = Task { await watched.run() }
    defer { watching.cancel() }
    var ready = 0
    var peakRSS = 0
    while ready < evolutionCount, ContinuousClock.now - start < .seconds(max(300, evolutionCount / 20)) {
        try await Task.sleep(for: .milliseconds(200))
        peakRSS = max(peakRSS, processRSS(controller.processIdentifier))
        ready = watched.cache.list().filter { $0[path: "status", "phase"] == "Converged" }.count
    }
    let elapsed = ContinuousClock.now - start
    // Every request the controller made, to its home cluster and to the regions (only it talks to those).
    let requests = home.requestLog.filter { $0.requester == "causeway-controller" } + regions.flatMap(\.requestLog)
    await home.stop()
    for sim in regions { await sim.stop() }
    let transitions = Double(ready * 4 * 3)
    func perTransition(_ what: String, _ include: (RequestRecord) -> Bool) -> Row {
        Row(benchmark: "requests per step transition per target: \(what)", subject: "causeway controller",
            value: Double(requests.filter(include).count) / transitions, unit: "requests", target: what == "all" ? "≤ 3" : "")
    }
    return [
        Row(benchmark: "\(evolutionCount) evolutions × 4 steps × 3 regions to Converged (\(ready) done)", subject: "causeway controller",
            value: elapsed.seconds, unit: "s", target: evolutionCount >= 10_000 ? "≤ 120" : ""),
        Row(benchmark: "controller peak RSS during that run", subject: "causeway controller", value: Double(peakRSS) / 1_048_576,
            unit: "MiB", target: evolutionCount >= 10_000 ? "≤ 300" : ""),
        perTransition("all") { _ in true },
    ] + ["applies", "kubeconfig Secret reads", "status writes", "Events", "lists and watches", "discovery and other"].map { kind in
        perTransition(kind) { category($0) == kind }
    }
    /// One name per request, so the rows add up to "all".
    func category(_ r: RequestRecord) -> String {
        if r.verb == "list" || r.verb == "watch" { return "lists and watches" }
        if r.verb == "patch" && r.resource == "configmaps" { return "applies" }
        if r.resource == "secrets" { return "kubeconfig Secret reads" }
        if r.resource == "evolutions" && r.subresource == "status" { return "status writes" }
        if r.resource == "events" { return "Events" }
        return "discovery and other"
    }
}

/// VmRSS of another process, in bytes.
func processRSS(_ pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
}
