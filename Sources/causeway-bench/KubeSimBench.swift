import Foundation
import KubeClient
import KubeJSON
import KubeSim
import Synchronization

/// KubeSim's targets: sustained small writes with 50 watchers, the delay from a
/// write's response to its event reaching every watcher, and memory per stored byte.
func kubeSimBenchmarks() async throws -> [Row] {
    var options = KubeSimOptions(name: "bench")
    options.tls = false
    options.historyWindow = 200_000
    let sim = try await KubeSim.start(options)
    let config = {
        var c = RESTConfig(server: sim.url)
        c.credentials = .token("admin-token")
        return c
    }()
    let watchClient = try KubeClient(config: config)
    let watchers = 50
    var rows: [Row] = []
    // As fast as the writers go, then held at the target rate, where the latency target applies.
    for (light, rate) in [(true, nil), (true, 5_000.0), (false, nil)] as [(Bool, Double?)] {
        let run = try await fanOut(sim: sim, config: config, watchers: watchers, lightWatchers: light, rate: rate)
        let who = (light ? "\(watchers) raw watchers" : "\(watchers) KubeClient watchers") + (rate.map { ", paced at \(Int($0))/s" } ?? ", unpaced")
        rows.append(Row(benchmark: "KubeSim creates/s, \(fanOutWriters) writers, \(who)", subject: "KubeSim", value: run.writesPerSecond,
                        unit: "writes/s", target: light ? "≥ 5000" : ""))
        rows.append(Row(benchmark: "write response → all \(who), p50", subject: "KubeSim", value: run.p50, unit: "ms", target: ""))
        rows.append(Row(benchmark: "write response → all \(who), p99 (\(run.incomplete) incomplete)", subject: "KubeSim",
                        value: run.p99, unit: "ms", target: rate != nil ? "≤ 5" : ""))
    }

    // Memory: RSS growth while 100,000 more small objects are stored, against their JSON bytes.
    let rssBefore = residentBytes()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<8 {
            group.addTask {
                let client = try KubeClient(config: config)
                for i in 0..<12_500 {
                    let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("m\(w)-\(i)"), "labels": ["app": "bench"]],
                                        "data": ["payload": .string(String(repeating: "x", count: 200))]]
                    _ = try await client.create(.configMaps, object, namespace: "default")
                }
            }
        }
        try await group.waitForAll()
    }
    let rssGrowth = residentBytes() - rssBefore  // before listing: the list itself would add its own copy
    let stored = try await watchClient.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "app=bench"))
    let storedBytes = stored.items.reduce(0) { $0 + $1.serialized().count }
    // As kubectl get lists: pages of 500, each pinned to the first page's revision.
    let pagedStart = ContinuousClock.now
    let paged = try await watchClient.listAll(.configMaps, namespace: "default", options: ListOptions(limit: 500))
    let pagedSeconds = (ContinuousClock.now - pagedStart).seconds
    await sim.stop()
    return rows + [
        Row(benchmark: "list \(paged.items.count) objects in pages of 500", subject: "KubeSim + KubeClient", value: pagedSeconds,
            unit: "s", target: ""),
        Row(benchmark: "memory for \(stored.items.count) objects (\(storedBytes / 1_000_000) MB JSON)", subject: "KubeSim (RSS growth ÷ JSON bytes)",
            value: Double(rssGrowth) / Double(max(storedBytes, 1)), unit: "×", target: "≤ 3"),
    ]
}

/// Concurrent clients writing: each waits for its response, so more of them keep the server busier.
private let fanOutWriters = 8

/// Creates ConfigMaps from `fanOutWriters` writers for 3 s while `watchers` watch them; times each
/// write's response against its event's arrival at the last watcher. With a `rate`,
/// the writers hold that many writes per second between them instead of going flat out.
/// Light watchers are `RawWatchers` (one thread, no decoding); the others are
/// KubeClient watch streams decoding every event, as a controller's would.
private func fanOut(sim: KubeSim, config: RESTConfig, watchers: Int, lightWatchers: Bool, rate: Double?)
    async throws -> (writesPerSecond: Double, p50: Double, p99: Double, incomplete: Int)
{
    let namespace = "fan-out-\(lightWatchers ? "raw" : "client")-\(rate.map { String(Int($0)) } ?? "max")"
    let watchClient = try KubeClient(config: config)
    _ = try await watchClient.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
    // revision → (watchers that saw it, when the last one did)
    let arrivals = Locked<[Int64: (count: Int, last: ContinuousClock.Instant)]>([:])
    let arrived: @Sendable (Int64) -> Void = { rv in
        let now = ContinuousClock.now
        arrivals.withLock { table in
            let previous = table[rv]
            table[rv] = ((previous?.count ?? 0) + 1, now)
        }
    }
    let startRevision = try await watchClient.list(.configMaps, namespace: namespace).resourceVersion
    var watchTasks: [Task<Void, Never>] = []
    let watchErrors = Locked<[String]>([])
    var raw: RawWatchers?
    if lightWatchers {
        raw = try RawWatchers(port: sim.port, path: "/api/v1/namespaces/\(namespace)/configmaps?watch=1&resourceVersion=\(startRevision)",
                              token: "admin-token", count: watchers)
        raw?.start(onEvent: arrived)
    } else {
        for _ in 0..<watchers {
            watchTasks.append(Task {
                do {
                    for try await event in watchClient.watch(.configMaps, namespace: namespace, options: WatchOptions(resourceVersion: startRevision)) {
                        if let rv = event.resourceVersion.flatMap(Int64.init) { arrived(rv) }
                    }
                } catch is CancellationError {
                } catch {
                    // A watcher that fails leaves writes "incomplete"; say why instead of hiding it.
                    watchErrors.withLock { $0.append("\(error)") }
                }
            })
        }
    }
    try await Task.sleep(for: .milliseconds(500))

    let responses = Locked<[(Int64, ContinuousClock.Instant)]>([])
    let duration: Duration = .seconds(3)
    let began = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<fanOutWriters {
            group.addTask {
                let client = try KubeClient(config: config)
                var i = 0
                while ContinuousClock.now - began < duration {
                    if let rate {
                        let due = began + .seconds(Double(i) * Double(fanOutWriters) / rate)
                        if due > ContinuousClock.now { try await Task.sleep(until: due) }
                    }
                    let object: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("w\(w)-\(i)")], "data": ["k": "v"]]
                    let created = try await client.create(.configMaps, object, namespace: namespace)
                    let at = ContinuousClock.now
                    if let rv = created[path: "metadata", "resourceVersion"]?.stringValue.flatMap(Int64.init) {
                        responses.withLock { $0.append((rv, at)) }
                    }
                    i += 1
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - began
    try await Task.sleep(for: .milliseconds(500))
    raw?.stop()
    for t in watchTasks { t.cancel() }
    let writes = responses.withLock { $0 }
    for error in watchErrors.withLock({ $0 }).prefix(3) { FileHandle.standardError.write(Data("watcher failed: \(error)\n".utf8)) }
    let table = arrivals.withLock { $0 }
    var latencies: [Double] = []
    var incomplete = 0
    for (rv, respondedAt) in writes {
        guard let seen = table[rv], seen.count == watchers else { incomplete += 1; continue }
        latencies.append(max((seen.last - respondedAt).seconds * 1000, 0))
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? .nan : latencies[min(Int(Double(latencies.count) * p), latencies.count - 1)] }
    return (Double(writes.count) / elapsed.seconds, percentile(0.5), percentile(0.99), incomplete)
}

/// Resident set size from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A value behind a lock that closures can share.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
