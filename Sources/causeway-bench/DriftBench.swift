import ControllerRuntime
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML

/// Issue 13's figures, against the release `causeway` binary (its RSS is its own):
/// what tracking N applied objects costs the controller, how soon a foreign write
/// becomes a recorded deviation, and how long `causeway drift -A` takes over all of them.
func driftBenchmarks(objectCount: Int) async throws -> [Row] {
    let binary = URL(fileURLWithPath: ".build/release/causeway")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw BenchError("build the controller first: swift build -c release --product causeway")
    }
    let perEvolution = 4
    let evolutionCount = objectCount / perEvolution
    let home = try await SimCluster.start("drift-home", tls: true) {
        $0.historyWindow = 50_000
        $0.rules["system:serviceaccount:default:default"] = [AccessRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], namespaces: ["default"])]
    }
    let region = try await SimCluster.start("drift-region", tls: true) { $0.historyWindow = 50_000 }
    let dir = NSTemporaryDirectory() + "causeway-drift-bench-\(UUID().uuidString)"
    let kubeconfig = try home.writeKubeconfig(in: dir)
    try await home.admin.installEvolutionCRD()
    try await home.admin.createNamespace("causeway-system")
    try await home.admin.storeKubeconfig(of: region, secret: "region")
    let controller = Process()
    controller.executableURL = binary
    controller.arguments = ["controller", "--kubeconfig", kubeconfig, "--ledger-directory", dir + "/ledger", "--health-port", "0", "--workers", "4"]
    controller.environment = ProcessInfo.processInfo.environment.merging(["MALLOC_ARENA_MAX": "2"]) { $1 }
    controller.standardOutput = FileHandle.nullDevice
    controller.standardError = FileHandle.nullDevice
    try controller.run()
    defer { kill(controller.processIdentifier, SIGKILL) }
    try await Task.sleep(for: .seconds(2))
    let idleRSS = processRSS(controller.processIdentifier)

    // Progress and deviations from one watch on the Evolutions, as a dashboard would follow them.
    let watched = Informer(client: home.admin, resource: .evolutions, namespace: "default") { object in
        ["metadata": ["name": object[path: "metadata", "name"] ?? .null, "namespace": "default"],
         "status": ["phase": object[path: "status", "phase"] ?? .null, "drifted": object[path: "status", "drifted"] ?? .null]]
    }
    let watching = Task { await watched.run() }
    defer { watching.cancel() }
    for i in 0..<evolutionCount {
        let steps = (1...perEvolution).map { s in
            "    - {name: s\(s), apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: e\(i)-s\(s)}, data: {k: v}}]}}"
        }.joined(separator: "\n")
        try await home.admin.create(yaml: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: e\(i), namespace: default}
            spec:
              targets: [{name: region, kubeconfigSecretRef: {name: region}}]
              steps:
            \(steps)
            """)
    }
    try await eventually("every Evolution converged", timeout: .seconds(600)) {
        try await Task.sleep(for: .milliseconds(200))
        return watched.cache.list().filter { $0[path: "status", "phase"] == "Converged" }.count == evolutionCount
    }
    try await Task.sleep(for: .seconds(3))  // settle: last status writes, ledgers closed
    let trackingRSS = processRSS(controller.processIdentifier)

    // Foreign writes, one at a time: patch → the Evolution's status shows the deviation.
    var latencies: [Double] = []
    var rng = SystemRandomNumberGenerator()
    let samples = min(200, evolutionCount)
    for evolution in (0..<evolutionCount).shuffled(using: &rng).prefix(samples) {
        let object = "e\(evolution)-s\(Int.random(in: 1...perEvolution, using: &rng))"
        let began = ContinuousClock.now
        _ = try await region.admin.patch(.configMaps, name: object, namespace: "default", .merge(["data": ["k": "changed"]]),
                                         options: WriteOptions(fieldManager: "bench-writer"))
        while watched.cache.get(namespace: "default", name: "e\(evolution)")?[path: "status", "drifted"]?.intValue ?? 0 < 1 {
            guard ContinuousClock.now - began < .seconds(10) else { throw BenchError("deviation of \(object) not seen in 10 s") }
            try await Task.sleep(for: .microseconds(200))
        }
        latencies.append((ContinuousClock.now - began).seconds * 1000)
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies[min(Int(Double(latencies.count) * p), latencies.count - 1)] }

    let scanStart = ContinuousClock.now
    let scan = Process()
    scan.executableURL = binary
    scan.arguments = ["drift", "-A", "-o", "json", "--kubeconfig", kubeconfig]
    let output = dir + "/drift.json"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    scan.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    scan.standardError = FileHandle.nullDevice
    try scan.run()
    scan.waitUntilExit()
    let scanSeconds = (ContinuousClock.now - scanStart).seconds
    let report = try JSON.parse(Array(FileManager.default.contents(atPath: output) ?? Data()))
    let checked = report["checkedObjects"]?.intValue ?? 0
    let found = report["drifted"]?.arrayValue?.count ?? 0
    guard scan.terminationStatus == 1, checked == objectCount, found == samples else {
        throw BenchError("causeway drift: exit \(scan.terminationStatus), \(checked) checked, \(found) drifted (expected 1, \(objectCount), \(samples))")
    }
    await home.stop()
    await region.stop()
    return [
        Row(benchmark: "controller RSS added by \(objectCount) applied objects tracked (\(evolutionCount) Evolutions, idle \(idleRSS / 1_048_576) MiB)",
            subject: "causeway controller", value: Double(trackingRSS - idleRSS) / 1_048_576, unit: "MiB", target: objectCount >= 10_000 ? "≤ 50" : ""),
        Row(benchmark: "foreign write → deviation in status, p50 (\(samples) writes)", subject: "causeway controller",
            value: percentile(0.5), unit: "ms", target: ""),
        Row(benchmark: "foreign write → deviation in status, p99 (\(samples) writes)", subject: "causeway controller",
            value: percentile(0.99), unit: "ms", target: "≤ 100"),
        Row(benchmark: "causeway drift -A over \(checked) objects (\(found) drifted)", subject: "causeway drift",
            value: scanSeconds, unit: "s", target: objectCount >= 10_000 ? "≤ 10" : ""),
    ]
}
