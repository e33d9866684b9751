import AdmissionService
import ControllerRuntime
import EvolutionAdmission
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Logging
import WebhookServer

/// Issue 14's end-to-end figure: a person's write to what Causeway applied → the Deviation in
/// status naming that person. The write goes through KubeSim's ValidatingWebhookConfiguration to
/// the webhook's routes (journal stored behind the answer), the controller (with the webhook
/// installed) reads the journal once it sees the departure. One write at a time.
func attributionBenchmarks(evolutionCount: Int = 50) async throws -> [Row] {
    let home = try await SimCluster.start("attribution", tls: true) { options in
        options.tokens["bob-token"] = SimUser(name: "bob@example.com")
        options.rules["bob@example.com"] = [.all]
    }
    try await home.admin.installEvolutionCRD()
    try await home.admin.grantClusterAdmin()
    let key = StampKey(bytes: StampKey.newBytes())
    var quiet = Logger(label: "bench")
    quiet.logLevel = .error
    let routes = AdmissionRoutes(key: key, journal: WebhookJournal(client: try home.client(retry: .none), logger: quiet), logger: quiet)
    let certificates = try SimCertificates.generate(name: "bench-attribution")
    let server = try await WebhookServer.start(certificatePEM: certificates.serverCertificatePEM, keyPEM: certificates.serverKeyPEM) { method, path, body in
        await routes.handle(method: method, path: path, body: body)
    }
    try await home.admin.create(yaml: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: causeway-journal}
        webhooks:
        - name: journal.causeway.dev
          clientConfig: {url: "https://127.0.0.1:\(server.port)/validate-governed", caBundle: \(Data(certificates.caPEM.utf8).base64EncodedString())}
          rules: [{operations: [UPDATE, DELETE], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"]}]
          objectSelector: {matchExpressions: [{key: causeway.dev/governed, operator: In, values: ["true"]}]}
          failurePolicy: Ignore
          sideEffects: NoneOnDryRun
          admissionReviewVersions: [v1]
          timeoutSeconds: 2
        """)
    var options = EvolutionController.Options(ledger: .configMaps)
    options.stampKey = key
    options.admissionWebhook = true
    options.logger = quiet
    let controller = EvolutionController(client: home.admin, options: options)
    let running = Task { await controller.run() }
    defer { running.cancel() }
    let watched = Informer(client: home.admin, resource: .evolutions, namespace: "default") { object in
        ["metadata": ["name": object[path: "metadata", "name"] ?? .null, "namespace": "default"],
         "status": ["phase": object[path: "status", "phase"] ?? .null, "deviations": object[path: "status", "drift", "deviations"] ?? .null]]
    }
    let watching = Task { await watched.run() }
    defer { watching.cancel() }
    for i in 0..<evolutionCount {
        try await home.admin.create(yaml: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: e\(i), namespace: default}
            spec:
              steps: [{name: flag, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: flag-\(i)}, data: {mode: causeway}}]}}]
            """)
    }
    try await eventually("every Evolution converged", timeout: .seconds(120)) {
        try await Task.sleep(for: .milliseconds(100))
        return watched.cache.list().filter { $0[path: "status", "phase"] == "Converged" }.count == evolutionCount
    }
    let bob = try home.client(token: "bob-token")
    var latencies: [Double] = []
    var unnamed = 0
    for i in 0..<evolutionCount {
        let began = ContinuousClock.now
        _ = try await bob.patch(.configMaps, name: "flag-\(i)", namespace: "default", .merge(["data": ["mode": "bob"]]),
                                options: WriteOptions(fieldManager: "kubectl-patch"))
        while true {
            if let deviation = watched.cache.get(namespace: "default", name: "e\(i)")?[path: "status", "deviations"]?.arrayValue?.last {
                if deviation["people"] != ["bob@example.com"] { unnamed += 1 }
                break
            }
            guard ContinuousClock.now - began < .seconds(10) else { throw BenchError("deviation of flag-\(i) not seen in 10 s") }
            try await Task.sleep(for: .microseconds(500))
        }
        latencies.append((ContinuousClock.now - began).seconds * 1000)
    }
    await server.stop()
    await home.stop()
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies[min(Int(Double(latencies.count) * p), latencies.count - 1)] }
    return [
        Row(benchmark: "a person's write → Deviation naming them, p50 (\(evolutionCount) writes, \(unnamed) not named)", subject: "causeway webhook + controller",
            value: percentile(0.5), unit: "ms", target: ""),
        Row(benchmark: "a person's write → Deviation naming them, p99", subject: "causeway webhook + controller",
            value: percentile(0.99), unit: "ms", target: "≤ 2000 (the wait)"),
    ]
}
