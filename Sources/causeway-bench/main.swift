import Foundation
import KubeJSON
import KubeYAML
import KubeClient
import LoopbackHTTP

// causeway-bench: the foundation's speed figures, printed as a table and as JSON.
// Build with `swift build -c release --product causeway-bench`; run on an idle machine.
// `causeway-bench SECTION` runs one section; with no argument every section runs in
// a process of its own, so memory figures (RSS growth) are not flattered by heap an
// earlier section freed.

let sections = ["json", "yaml", "watch", "ledger", "kubesim", "runtime", "controller", "tenancy", "webhook"]
let only = CommandLine.arguments.dropFirst().first
var rows: [Row] = []

if only == nil {
    for section in sections { rows += try runSectionInChildProcess(section) }
    printRows(rows)
    exit(0)
}
guard let only, sections.contains(only) || only == "scale" || only == "drift" || only == "attribution" else {
    FileHandle.standardError.write(Data("usage: causeway-bench [\((sections + ["scale", "drift", "attribution"]).joined(separator: "|"))]\n".utf8))
    exit(2)
}

func mbps(_ bytes: Int, _ opsPerSecond: Double) -> Double { Double(bytes) * opsPerSecond / 1_000_000 }

if only == "json" {
    for (name, value) in [("20KB pod", BenchFixtures.pod(0)), ("1MB list", BenchFixtures.podList(targetBytes: 1_000_000))] {
        let bytes = value.serialized()
        let data = Data(bytes)
        let foundationObject = try JSONSerialization.jsonObject(with: data)
        rows.append(Row(benchmark: "JSON parse \(name) (\(bytes.count / 1024) KiB)", subject: "KubeJSON",
                        value: mbps(bytes.count, try throughput { _ = try JSON.parse(bytes) }), unit: "MB/s", target: "≥ 150"))
        rows.append(Row(benchmark: "JSON parse \(name) (\(bytes.count / 1024) KiB)", subject: "Foundation JSONSerialization",
                        value: mbps(bytes.count, try throughput { _ = try JSONSerialization.jsonObject(with: data) }), unit: "MB/s", target: ""))
        rows.append(Row(benchmark: "JSON serialize \(name)", subject: "KubeJSON",
                        value: mbps(bytes.count, throughput { _ = value.serialized() }), unit: "MB/s", target: "≥ 150"))
        rows.append(Row(benchmark: "JSON serialize \(name)", subject: "Foundation JSONSerialization",
                        value: mbps(bytes.count, try throughput { _ = try JSONSerialization.data(withJSONObject: foundationObject) }),
                        unit: "MB/s", target: ""))
    }
}

if only == "yaml" {
    let pod = BenchFixtures.pod(0)
    let yaml = try YAML.emit(pod)
    let yamlBytes = Array(yaml.utf8)
    rows.append(Row(benchmark: "YAML parse 20KB pod (\(yamlBytes.count / 1024) KiB)", subject: "KubeYAML (libyaml)",
                    value: mbps(yamlBytes.count, try throughput { _ = try YAML.parse(yamlBytes) }), unit: "MB/s", target: ""))
    rows.append(Row(benchmark: "YAML emit 20KB pod", subject: "KubeYAML (libyaml)",
                    value: mbps(yamlBytes.count, try throughput { _ = try YAML.emit(pod) }), unit: "MB/s", target: ""))
}

if only == "watch" {
    let events = 100_000
    var stream: [UInt8] = []
    for i in 0..<1_000 {
        stream += (["type": "MODIFIED", "object": BenchFixtures.configMap(i, bytes: 5_000)] as JSON).serialized()
        stream.append(10)
    }
    let chunk = stream
    let server = try LoopbackHTTPServer { _ in
        .stream(status: 200, headers: [("Content-Type", "application/json")]) { writer in
            for _ in 0..<(events / 1_000) { guard writer.write(chunk) else { return } }
        }
    }
    let client = try KubeClient(config: RESTConfig(server: server.url))
    var best = 0.0
    for _ in 0..<3 {
        let start = ContinuousClock.now
        var received = 0
        for try await event in client.watch(.configMaps, namespace: "bench") where event.type == .modified { received += 1 }
        precondition(received == events, "received \(received) of \(events) events")
        best = max(best, Double(events) / (ContinuousClock.now - start).seconds)
    }
    server.stop()
    rows.append(Row(benchmark: "watch 5KB events over loopback, decoded", subject: "KubeClient (libcurl)",
                    value: best, unit: "events/s", target: "≥ 20000"))
}

if only == "ledger" {
    rows += try ledgerBenchmarks()
}

if only == "kubesim" {
    rows += try await kubeSimBenchmarks()
}

if only == "runtime" {
    rows += try await controllerRuntimeBenchmarks()
}

if only == "controller" {
    rows += try await controllerBenchmarks()
}

if only == "tenancy" {
    rows += try await tenancyBenchmarks()
}

if only == "scale" {
    // Not in the default run: it needs the release `causeway` binary and takes a minute or more.
    rows += try await scaleBenchmarks(evolutionCount: Int(ProcessInfo.processInfo.environment["BENCH_EVOLUTIONS"] ?? "1000") ?? 1000)
}

if only == "webhook" {
    rows += try await webhookBenchmarks()
}

if only == "attribution" {
    // Not in the default run: a person's write through the webhook to the Deviation naming them.
    rows += try await attributionBenchmarks()
}

if only == "drift" {
    // Not in the default run either: the release `causeway` binary, 10,000 objects by default.
    rows += try await driftBenchmarks(objectCount: Int(ProcessInfo.processInfo.environment["BENCH_DRIFT_OBJECTS"] ?? "10000") ?? 10_000)
}

printRows(rows)
