import ControllerRuntime
import Foundation
import KubeClient
import KubeJSON
import LoopbackHTTP

/// ControllerRuntime's targets: queue cost per key, informer events/s into the
/// cache, and cache memory per payload byte.
func controllerRuntimeBenchmarks() async throws -> [Row] {
    var rows: [Row] = []

    // Queue: add + get + done for 1,000 keys, repeated.
    let keys = (0..<1_000).map { ObjectKey(namespace: "ns", name: "key-\($0)") }
    var best = Double.infinity
    for _ in 0..<20 {
        let queue = WorkQueue()
        let start = ContinuousClock.now
        for key in keys { queue.add(key) }
        for _ in keys {
            guard let key = await queue.get() else { break }
            queue.done(key)
        }
        best = min(best, (ContinuousClock.now - start).seconds * 1e6 / Double(keys.count))
        queue.shutdown()
    }
    rows.append(Row(benchmark: "work queue add+get+done, 1,000 keys", subject: "WorkQueue", value: best, unit: "µs/key", target: "≤ 2"))

    // Informer: an empty list, then a watch of N ADDED events of ~2 KB ConfigMaps.
    let events = 50_000
    var stream: [UInt8] = []
    for i in 0..<events {
        stream += (["type": "ADDED", "object": BenchFixtures.configMap(i, bytes: 2_000)] as JSON).serialized()
        stream.append(10)
    }
    let payloadBytes = (0..<events).reduce(0) { $0 + BenchFixtures.configMap($1, bytes: 2_000).serialized().count }
    let body = stream
    let server = try LoopbackHTTPServer { request in
        if request.query.contains("watch=") {
            return .stream(status: 200, headers: [("Content-Type", "application/json")]) { writer in
                var offset = 0
                while offset < body.count {
                    let end = min(offset + 1 << 20, body.count)
                    guard writer.write(Array(body[offset..<end])) else { return }
                    offset = end
                }
                Thread.sleep(forTimeInterval: 30)  // keep the watch open; the informer is stopped first
            }
        }
        return .json(200, #"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}"#)
    }
    let client = try KubeClient(config: RESTConfig(server: server.url))
    let rssBefore = residentBytes()
    let informer = Informer(client: client, resource: .configMaps, namespace: "bench")
    let run = Task { await informer.run() }
    let start = ContinuousClock.now
    while informer.cache.count < events {
        try await Task.sleep(for: .milliseconds(1))
        if ContinuousClock.now - start > .seconds(60) { break }
    }
    let elapsed = ContinuousClock.now - start
    // Measured once every event is in the cache and the stream's buffers have drained.
    try await Task.sleep(for: .milliseconds(300))
    let cacheGrowth = residentBytes() - rssBefore
    run.cancel()
    server.stop()
    rows.append(Row(benchmark: "informer: watch events into the cache (2 KB ConfigMaps, loopback)", subject: "Informer",
                    value: Double(informer.cache.count) / elapsed.seconds, unit: "events/s", target: "≥ 20000"))
    rows.append(Row(benchmark: "cache memory, \(informer.cache.count) ConfigMaps of 2 KB (\(payloadBytes / 1_000_000) MB payload)",
                    subject: "ObjectCache (RSS growth ÷ payload bytes)", value: Double(cacheGrowth) / Double(payloadBytes),
                    unit: "×", target: "≤ 2"))
    return rows
}
