import EvolutionAdmission
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import Synchronization
import WebhookServer

/// Issue 14's figure: the admission webhook's latency at 500 admissions/s on loopback, each an
/// Evolution acknowledgment to stamp (the work `causeway webhook` does), over HTTPS with keep-alive
/// as the API server calls it. Requests are sent on a fixed schedule (open loop), so a slow answer
/// does not slow the offered rate down.
func webhookBenchmarks(rate: Int = 500, seconds: Int = 10) async throws -> [Row] {
    let certificates = try SimCertificates.generate(name: "bench-webhook")
    let stampKey = StampKey(bytes: StampKey.newBytes())
    let server = try await WebhookServer.start(certificatePEM: certificates.serverCertificatePEM, keyPEM: certificates.serverKeyPEM) { _, _, body in
        guard let review = try? JSON.parse(body), let request = review["request"] else { return (400, []) }
        var response = AckStamping.response(to: request, key: stampKey)
        response["uid"] = request["uid"]
        return (200, (["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response] as JSON).serialized())
    }
    var config = RESTConfig(server: "https://127.0.0.1:\(server.port)")
    config.certificateAuthorityData = Array(certificates.caPEM.utf8)
    config.retry = .none
    let client = try KubeClient(config: config)
    func review(_ i: Int) -> [UInt8] {
        let evolution: JSON = ["apiVersion": "causeway.dev/v1alpha1", "kind": "Evolution",
                               "metadata": ["name": .string("e\(i)"), "namespace": "team", "annotations": ["ack.causeway.dev/flag": "approved"]]]
        var old = evolution
        old["metadata"]?["annotations"] = [:]
        let request: JSON = ["uid": .string("u\(i)"), "kind": ["group": "causeway.dev", "version": "v1alpha1", "kind": "Evolution"],
                             "operation": "UPDATE", "userInfo": ["username": "alice@example.com", "groups": ["sre"]],
                             "object": evolution, "oldObject": old]
        return (["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request] as JSON).serialized()
    }
    // Warm the connections up first.
    for i in 0..<50 { _ = try await client.send("POST", "/mutate-evolutions", body: review(i)) }
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
                    let answer = try await client.send("POST", "/mutate-evolutions", body: body)
                    guard try JSON.parse(answer.body)[path: "response", "patch"] != nil else { throw BenchError("no stamp") }
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
    return [
        Row(benchmark: "admission webhook at \(rate)/s for \(seconds) s (\(sorted.count) answered, \(tally.failures.withLock { $0 }) failed, \(String(format: "%.0f", Double(sorted.count) / elapsed))/s achieved), p50",
            subject: "causeway webhook", value: percentile(0.5), unit: "ms", target: ""),
        Row(benchmark: "admission webhook at \(rate)/s, p99", subject: "causeway webhook", value: percentile(0.99), unit: "ms", target: "≤ 5"),
    ]
}

private final class Tally: Sendable {
    let latencies = Mutex<[Double]>([])
    let failures = Mutex(0)
}
