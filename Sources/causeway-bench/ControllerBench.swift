import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML

/// The controller's targets: progression latency (the status write that
/// completes a step's convergence → the next step's first write) and
/// Evolutions to Ready per second, with the writes each transition costs.
func controllerBenchmarks() async throws -> [Row] {
    var options = KubeSimOptions(name: "bench-home")
    options.tls = false
    options.historyWindow = 100_000
    // The Evolutions act as default/default, applying on this cluster.
    options.rules["system:serviceaccount:default:default"] = [.all]
    options.simulation.propagation = [PropagationRule(group: "gw.example", kind: "Policy", delay: .milliseconds(30))]
    let sim = try await KubeSim.start(options)
    var config = try KubeConfig.parse(sim.kubeconfig()).restConfig()
    config.retry = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(5), maxDelay: .milliseconds(100))
    let client = try KubeClient(config: config)
    guard let crdData = FileManager.default.contents(atPath: "Manifests/crd/evolution.yaml") else {
        throw BenchError("run from the repository root (Manifests/crd/evolution.yaml)")
    }
    _ = try await client.create(.customResourceDefinitions, try YAML.parseStream(Array(crdData)).first!)
    _ = try await client.create(.customResourceDefinitions, try YAML.parse("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: policies.gw.example}
        spec:
          group: gw.example
          scope: Namespaced
          names: {plural: policies, singular: policy, kind: Policy}
          versions:
          - {name: v1, served: true, storage: true, subresources: {status: {}}, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
        """))
    let evolutions = APIResource.evolutions
    let count = Int(ProcessInfo.processInfo.environment["BENCH_EVOLUTIONS"] ?? "200") ?? 200
    let sequential = 50
    let controller = EvolutionController(client: client, options: .init(ledgerDirectory: NSTemporaryDirectory() + "causeway-bench-ledger-\(UUID().uuidString)"))
    let running = Task { await controller.run() }
    // Latency: one evolution at a time, so the figure is the controller's reaction, not queueing.
    for i in 0..<sequential {
        _ = try await client.create(evolutions, try evolution(name: "s\(i)"), namespace: "default")
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline,
              try await client.get(evolutions, name: "s\(i)", namespace: "default")[path: "status", "phase"] != "Converged" {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
    // Throughput: \(count) created at once.
    let start = ContinuousClock.now
    for i in 0..<count {
        _ = try await client.create(evolutions, try evolution(name: "e\(i)"), namespace: "default")
    }
    func evolution(name i: String) throws -> JSON {
        try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: \(i), namespace: default}
            spec:
              steps:
                - name: policy
                  apply: {manifests: [{apiVersion: gw.example/v1, kind: Policy, metadata: {name: p\(i)}, spec: {rules: [a]}}]}
                  converge:
                    checks: [{jsonPath: {object: {apiVersion: gw.example/v1, kind: Policy, name: p\(i)}, path: .status.observedGeneration, equalsField: .metadata.generation}}]
                - name: flag
                  apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: f\(i)}, data: {on: "true"}}]}
            """)
    }
    var ready = 0
    while ready < count, ContinuousClock.now - start < .seconds(120) {
        try await Task.sleep(for: .milliseconds(100))
        ready = try await client.list(evolutions, namespace: "default").items
            .filter { $0[path: "metadata", "name"]?.stringValue?.hasPrefix("e") == true && $0[path: "status", "phase"] == "Converged" }.count
    }
    let elapsed = ContinuousClock.now - start
    running.cancel()
    await running.value

    let log = sim.writeLog
    if ProcessInfo.processInfo.environment["BENCH_TRACE"] != nil {
        for w in log where w.resource != "customresourcedefinitions" {
            print(String(format: "%.3f", w.time.timeIntervalSince1970.truncatingRemainder(dividingBy: 100)), w.verb, w.resource, w.subresource ?? "", w.name, w.user)
        }
    }
    func latencies(_ prefix: String, _ n: Int) -> [Double] {
        var result: [Double] = []
        for i in 0..<n {
            let tag = prefix == "s" ? "s\(i)" : "e\(i)"
            guard let absorbed = log.first(where: { $0.resource == "policies" && $0.name == "p\(tag)" && $0.subresource == "status" })?.time,
                  let next = log.first(where: { $0.resource == "configmaps" && $0.name == "f\(tag)" })?.time else { continue }
            result.append(next.timeIntervalSince(absorbed) * 1000)
        }
        return result.sorted()
    }
    func p(_ values: [Double], _ q: Double) -> Double { values.isEmpty ? .nan : values[min(Int(Double(values.count) * q), values.count - 1)] }
    let idle = latencies("s", sequential)
    let loaded = latencies("e", count)
    // Writes the controller makes per step transition on a target (two steps, one target each).
    let transitions = Double((sequential + count) * 2)
    // The controller's writes: its own (status, ledger, Events) and those it makes as the Evolutions' account (applies).
    let mine = log.filter { ["admin", "system:serviceaccount:default:default"].contains($0.user) && $0.resource != "customresourcedefinitions"
        && !($0.resource == "evolutions" && $0.subresource == nil) }
    let applies = Double(mine.filter { $0.verb == "apply" }.count) / transitions
    let statuses = Double(mine.filter { $0.resource == "evolutions" }.count) / transitions
    let events = Double(mine.filter { $0.resource == "events" }.count) / transitions
    await sim.stop()
    return [
        Row(benchmark: "progression latency p50, one evolution at a time (\(idle.count))", subject: "EvolutionController", value: p(idle, 0.5), unit: "ms", target: "≤ 10"),
        Row(benchmark: "progression latency p99, one evolution at a time", subject: "EvolutionController", value: p(idle, 0.99), unit: "ms", target: "≤ 50"),
        Row(benchmark: "progression latency p50, \(count) at once", subject: "EvolutionController", value: p(loaded, 0.5), unit: "ms", target: ""),
        Row(benchmark: "progression latency p99, \(count) at once", subject: "EvolutionController", value: p(loaded, 0.99), unit: "ms", target: "≤ 100"),
        Row(benchmark: "\(count) evolutions × 2 steps to Converged (\(ready) done)", subject: "EvolutionController", value: elapsed.seconds, unit: "s", target: ""),
        Row(benchmark: "writes per step transition: applies", subject: "EvolutionController", value: applies, unit: "writes", target: ""),
        Row(benchmark: "writes per step transition: status", subject: "EvolutionController", value: statuses, unit: "writes", target: ""),
        Row(benchmark: "writes per step transition: Events", subject: "EvolutionController", value: events, unit: "writes", target: ""),
    ]
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
