import AdmissionService
import EvolutionAdmission
import EvolutionAPI
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Logging
import Synchronization
import WebhookServer

/// Issue 14's figures: the admission webhook's latency at 500 admissions/s on loopback, over
/// HTTPS with keep-alive as the API server calls it, through the routes `causeway webhook` serves:
/// - /mutate-evolutions: each an Evolution acknowledgment to stamp;
/// - /validate-governed: each a write by bob that changes what Causeway applied to a governed
///   ConfigMap, queued for the journal, which is stored behind the answers into a KubeSim over HTTPS, 20 namespaces.
/// Requests are sent on a fixed schedule (open loop), so a slow answer does not slow the offered rate down.
func webhookBenchmarks(rate: Int = 500, seconds: Int = 10) async throws -> [Row] {
    let stampKey = StampKey(bytes: StampKey.newBytes())
    let stamping = try await measure(route: "/mutate-evolutions", routes: AdmissionRoutes(key: stampKey, journal: nil, logger: Logger(label: "bench")),
                                     rate: rate, seconds: seconds, review: { ackReview($0) }, expect: { $0[path: "response", "patch"] != nil })
    let cluster = try await SimCluster.start("bench-journal", tls: true)
    defer { Task { await cluster.stop() } }
    for i in 0..<20 { try await cluster.admin.createNamespace("team-\(i)") }
    var quiet = Logger(label: "bench")
    quiet.logLevel = .error
    let journal = WebhookJournal(client: try cluster.client(retry: .none), logger: Logger(label: "bench"))
    let journaling = try await measure(route: "/validate-governed", routes: AdmissionRoutes(key: stampKey, journal: journal, logger: quiet),
                                       rate: rate, seconds: seconds, review: { governedReview($0, key: stampKey) },
                                       expect: { $0[path: "response", "allowed"] == true })
    let drainStart = ContinuousClock.now
    await journal.drained()
    let drain = (ContinuousClock.now - drainStart).seconds * 1000
    var journaled = 0
    for i in 0..<20 {
        let map = try await cluster.admin.get(.configMaps, name: AdmissionJournal.configMapName, namespace: "team-\(i)")
        journaled += AdmissionJournal.decode(map[path: "data", AdmissionJournal.dataKey]?.stringValue ?? "").entries.count
    }
    return [
        Row(benchmark: "admission webhook, stamping acks at \(rate)/s for \(seconds) s (\(stamping.summary)), p50",
            subject: "causeway webhook", value: stamping.p50, unit: "ms", target: ""),
        Row(benchmark: "admission webhook, stamping acks at \(rate)/s, p99", subject: "causeway webhook", value: stamping.p99, unit: "ms", target: "≤ 5"),
        Row(benchmark: "admission webhook, journaling writes to governed objects at \(rate)/s for \(seconds) s (\(journaling.summary); \(journaled) entries kept in 20 rings of \(AdmissionJournal.capacity)), p50",
            subject: "causeway webhook", value: journaling.p50, unit: "ms", target: ""),
        Row(benchmark: "admission webhook, journaling writes at \(rate)/s, p99", subject: "causeway webhook", value: journaling.p99, unit: "ms", target: "≤ 5"),
        Row(benchmark: "admission journal: entries still being stored after the last answer, drained in", subject: "causeway webhook", value: drain, unit: "ms", target: ""),
    ]
}

private struct Latencies {
    var p50: Double
    var p99: Double
    var summary: String
}

private func measure(route: String, routes: AdmissionRoutes, rate: Int, seconds: Int, review: @escaping @Sendable (Int) -> [UInt8],
                     expect: @escaping @Sendable (JSON) -> Bool) async throws -> Latencies {
    let certificates = try SimCertificates.generate(name: "bench-webhook")
    let server = try await WebhookServer.start(certificatePEM: certificates.serverCertificatePEM, keyPEM: certificates.serverKeyPEM) { method, path, body in
        await routes.handle(method: method, path: path, body: body)
    }
    var config = RESTConfig(server: "https://127.0.0.1:\(server.port)")
    config.certificateAuthorityData = Array(certificates.caPEM.utf8)
    config.retry = .none
    let client = try KubeClient(config: config)
    // Warm the connections up first.
    for i in 0..<50 { _ = try await client.send("POST", route, body: review(1_000_000 + i)) }
    let tally = Tally()
    let total = rate * seconds
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<total {
            try await Task.sleep(until: start + .nanoseconds(Int64(i) * 1_000_000_000 / Int64(rate)), clock: .continuous)
            let body = review(i)
            group.addTask {
                let sent = ContinuousClock.now
                do {
                    let answer = try await client.send("POST", route, body: body)
                    guard expect(try JSON.parse(answer.body)) else { throw BenchError("unexpected answer") }
                    let elapsed = (ContinuousClock.now - sent).seconds * 1000
                    tally.latencies.withLock { $0.append(elapsed) }
                } catch {
                    tally.failures.withLock { $0 += 1 }
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = (ContinuousClock.now - start).seconds
    await server.stop()
    let sorted = tally.latencies.withLock { $0 }.sorted()
    guard !sorted.isEmpty else { throw BenchError("no admission answered") }
    func percentile(_ p: Double) -> Double { sorted[min(Int(Double(sorted.count) * p), sorted.count - 1)] }
    return Latencies(p50: percentile(0.5), p99: percentile(0.99), summary: "\(sorted.count) answered, \(tally.failures.withLock { $0 }) failed, "
                     + "\(String(format: "%.0f", Double(sorted.count) / elapsed))/s achieved")
}

private func envelope(_ request: JSON) -> [UInt8] {
    (["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request] as JSON).serialized()
}

private func ackReview(_ i: Int) -> [UInt8] {
    let evolution: JSON = ["apiVersion": "causeway.dev/v1alpha1", "kind": "Evolution",
                           "metadata": ["name": .string("e\(i)"), "namespace": "team", "annotations": ["ack.causeway.dev/flag": "approved"]]]
    var old = evolution
    old["metadata"]?["annotations"] = [:]
    return envelope(["uid": .string("u\(i)"), "kind": ["group": "causeway.dev", "version": "v1alpha1", "kind": "Evolution"],
                     "operation": "UPDATE", "userInfo": ["username": "alice@example.com", "groups": ["sre"]],
                     "object": evolution, "oldObject": old])
}

/// bob's `kubectl patch` of `data.mode` on a ConfigMap Causeway applied (marked, `causeway` owning the field).
private func governedReview(_ i: Int, key: StampKey) -> [UInt8] {
    let namespace = "team-\(i % 20)", name = "flag-\(i % 500)"
    let reference = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: name)
    var old: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(i % 500)"), "resourceVersion": .string("\(i + 1)"),
                                  "managedFields": [["manager": "causeway", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-06T10:00:00Z",
                                                     "fieldsType": "FieldsV1",
                                                     "fieldsV1": ["f:data": ["f:mode": [:]],
                                                                  "f:metadata": ["f:annotations": ["f:causeway.dev/governed-by": [:]],
                                                                                 "f:labels": ["f:causeway.dev/governed": [:]]]]]]],
                     "data": ["mode": "causeway"]]
    let manifest: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                          "data": ["mode": "causeway"]]
    old = key.sign(GovernanceMark(evolution: "\(namespace)/rollout", applier: "system:serviceaccount:\(namespace):default", freeze: false,
                                  applying: manifest), object: reference).placed(on: old)
    var new = old
    new["data"] = ["mode": .string("bob-\(i)")]
    return envelope(["uid": .string("g\(i)"), "kind": ["group": "", "version": "v1", "kind": "ConfigMap"], "operation": "UPDATE",
                     "name": .string(name), "namespace": .string(namespace),
                     "userInfo": ["username": "bob@example.com", "groups": ["dev"]], "object": new, "oldObject": old,
                     "options": ["kind": "PatchOptions", "fieldManager": "kubectl-patch"], "dryRun": false])
}

private final class Tally: Sendable {
    let latencies = Mutex<[Double]>([])
    let failures = Mutex(0)
}
