import Foundation
import Testing
import ControllerRuntime
import EvolutionController
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import KubeYAML
import Logging

/// Every failure is visible four ways — a condition, a Warning Event, a metric and a log
/// line — while the controller keeps serving the Evolutions that are fine.
@Suite(.serialized) struct FailureVisibilityTests {
    static let secretToken = "s3cr3t-token-that-must-never-be-logged"

    struct Run {
        var sim: KubeSim
        var admin: KubeClient
        var sink: LogSink
        var metrics: RuntimeMetrics
        var task: Task<Void, Never>

        func stop() async {
            task.cancel()
            await task.value
            await sim.stop()
        }

        /// Log lines (JSON) that mention this Evolution.
        func logs(about name: String) -> [JSON] {
            sink.lines.compactMap { try? JSON.parse(Array($0.utf8)) }.filter { line in
                line["evolution"]?.stringValue == name || (line["key"]?.stringValue ?? "").hasSuffix("/\(name)")
            }
        }

        func metric(_ line: String) -> Bool { metrics.registry.render().contains(line) }

        func warnings(_ namespace: String) async throws -> [(reason: String, note: String)] {
            try await admin.list(.events, namespace: namespace).items.filter { $0["type"] == "Warning" }
                .map { ($0["reason"]?.stringValue ?? "", $0["note"]?.stringValue ?? "") }
        }
    }

    static func start(crd: (inout JSON) -> Void = { _ in }, configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> Run {
        let cluster = try await SimCluster.start("failures", configure: configure)
        try await cluster.admin.installEvolutionCRD(edit: crd)
        let sink = LogSink.inMemory()
        var options = EvolutionController.Options(ledger: .configMaps)
        options.logger = Logger(label: "causeway") { label in LineLogHandler(label: label, format: .json, level: .debug, sink: sink) }
        let controller = EvolutionController(client: cluster.admin, options: options)
        return Run(sim: cluster.sim, admin: cluster.admin, sink: sink, metrics: options.metrics, task: Task { await controller.run() })
    }

    static func evolution(_ name: String, namespace: String, spec: String) throws -> JSON {
        try YAML.parse("""
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
            \(spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """)
    }

    static func ready(_ evolution: JSON) -> JSON? {
        evolution[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
    }

    @Test func fourFailuresAreEachVisibleFourWaysWhileAHealthyEvolutionConverges() async throws {
        let run = try await Self.start(configure: { options in
            // The ledger of namespace "ledger" cannot be created: its ConfigMap POSTs fail.
            options.rules["system:serviceaccount:healthy:default"] = [.all]
            options.rules["system:serviceaccount:unreachable:default"] = [.all]
            options.rules["system:serviceaccount:ledger:default"] = [.all]
            options.rules["system:serviceaccount:invalid:default"] = [.all]
        })
        defer { Task { await run.stop() } }
        for ns in ["healthy", "invalid", "forbidden", "unreachable", "ledger"] {
            _ = try await run.admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        run.sim.injectFaults([FaultRule(methods: ["POST"], pathContains: "/namespaces/ledger/configmaps", effect: .error(code: 503))])
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: \(Self.secretToken)}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        _ = try await run.admin.create(.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "far"],
                                                  "data": ["kubeconfig": .string(Data(kubeconfig.utf8).base64EncodedString())]],
                                       namespace: "unreachable")
        let step = "steps: [{name: a, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}}]"
        for (name, spec) in [("healthy", step), ("forbidden", step), ("ledger", step),
                             ("invalid", "steps: [{name: a, after: [b], apply: {manifests: []}}, {name: b, after: [a], apply: {manifests: []}}]"),
                             ("unreachable", "targets: [{name: far, kubeconfigSecretRef: {name: far}}]\n" + step)] {
            _ = try await run.admin.create(.evolutions, try Self.evolution(name, namespace: name, spec: spec), namespace: name)
        }

        let healthy = try await run.admin.waitFor(.evolutions, "healthy", namespace: "healthy") { $0[path: "status", "phase"] == "Converged" }
        #expect(Self.ready(healthy)?["status"] == "True")

        // (condition reason, Event reason, metric line, log reason) for each failure.
        let expectations: [(name: String, ready: String, event: String, metric: String)] = [
            ("invalid", "InvalidSpec", "InvalidSpec", #"causeway_evolution_warnings_total{reason="InvalidSpec"}"#),
            ("forbidden", "Forbidden", "StepFailed", #"causeway_evolution_warnings_total{reason="StepFailed"}"#),
            ("unreachable", "TargetUnreachable", "TargetUnreachable", #"causeway_evolution_warnings_total{reason="TargetUnreachable"}"#),
            ("ledger", "LedgerUnavailable", "LedgerUnavailable", #"causeway_reconcile_errors_total{controller="evolution",reason="LedgerUnavailable"}"#),
        ]
        for e in expectations {
            let evolution = try await run.admin.waitFor(.evolutions, e.name, namespace: e.name) { Self.ready($0)?["reason"]?.stringValue == e.ready }
            #expect(Self.ready(evolution)?["status"] == "False", "\(e.name)")
            let said = Self.ready(evolution)?["message"]?.stringValue ?? ""
            #expect(!said.isEmpty, "\(e.name): the condition says what failed")
            let events = try await run.warnings(e.name)
            #expect(events.contains { $0.reason == e.event }, "\(e.name): Warning Events \(events)")
            #expect(run.metric(e.metric), "\(e.name): no \(e.metric) in\n\(run.metrics.registry.render())")
            let levels = run.logs(about: e.name).compactMap { $0["level"]?.stringValue }
            #expect(levels.contains("warning") || levels.contains("error"), "\(e.name): log levels \(levels)")
        }
        // The ledger failure is transient: it is retried (with backoff), and each retry is a log line with its delay.
        let retries = run.logs(about: "ledger").filter { $0["msg"] == "reconcile failed; retrying" }
        #expect(retries.first?["reason"] == "LedgerUnavailable", "\(retries)")
        #expect(retries.first?["retry.delay"] != nil)
        // Each pass is named: the runtime's line and the reconciler's own lines of it share one reconcileID.
        let passes = Set(retries.compactMap { $0["reconcileID"]?.stringValue })
        #expect(passes.count == retries.count && !passes.contains(""), "\(retries)")
        #expect(run.logs(about: "forbidden").allSatisfy { ($0["reconcileID"]?.stringValue ?? "").count > 0 })
        // Nothing secret reached a log line.
        #expect(!run.sink.lines.contains { $0.contains(Self.secretToken) })
        #expect(!run.sink.lines.isEmpty && run.sink.lines.allSatisfy { (try? JSON.parse(Array($0.utf8))) != nil })

        // The ledger comes back: the same Evolution converges without anyone touching it.
        run.sim.injectFaults([])
        _ = try await run.admin.waitFor(.evolutions, "ledger", namespace: "ledger", timeout: .seconds(30)) { $0[path: "status", "phase"] == "Converged" }
        // Fixing an invalid spec resumes it.
        _ = try await run.admin.patch(.evolutions, name: "invalid", namespace: "invalid",
                                      .merge(["spec": ["steps": [["name": "a", "apply": ["manifests": [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]]]]]]]]))
        _ = try await run.admin.waitFor(.evolutions, "invalid", namespace: "invalid") { $0[path: "status", "phase"] == "Converged" }
    }

    /// A status the API server refuses is replaced by a minimal one that says why; the error
    /// is terminal: no retry storm, until the Evolution changes.
    @Test func aRejectedStatusFallsBackToAMinimalOneAndIsNotRetried() async throws {
        let run = try await Self.start(crd: { crd in
            // An older CRD whose status schema caps steps at none: the controller's full status is refused (422).
            var versions = crd[path: "spec", "versions"]?.arrayValue ?? []
            versions[0]["schema"]?["openAPIV3Schema"]?["properties"]?["status"]?["properties"]?["steps"]?["maxItems"] = 0
            crd["spec"]?["versions"] = .array(versions)
        }, configure: { $0.rules["system:serviceaccount:default:default"] = [.all] })
        defer { Task { await run.stop() } }
        let refusedSpec = try Self.evolution("refused", namespace: "default",
                                             spec: "steps: [{name: a, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}]}}]")
        _ = try await run.admin.create(APIResource.evolutions, refusedSpec, namespace: "default")
        let refused = try await run.admin.waitFor(.evolutions, "refused", namespace: "default") { Self.ready($0)?["reason"] == "StatusRejected" }
        #expect(Self.ready(refused)?["message"]?.stringValue?.contains("refused the status") == true)
        let stalled = refused[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Stalled" }
        #expect(stalled?["status"] == "True")
        // The condition is written first; the Event, the count and the log line follow within the reconcile.
        try await eventually("\(#function): the failure is visible") { try await run.warnings("default").contains { $0.reason == "StatusRejected" } }
        try await eventually("\(#function): the failure is visible") { run.metric(#"causeway_reconcile_errors_total{controller="evolution",reason="StatusRejected"}"#) }
        try await eventually("\(#function): the failure is visible") { run.logs(about: "refused").contains { $0["msg"] == "reconcile failed; not retried until the object changes" } }
        // Terminal: once the step's own watch events have been seen, no more attempts (no retry storm).
        func statusWrites() -> Int { run.sim.writeLog.filter { $0.resource == "evolutions" && $0.subresource == "status" }.count }
        try await Task.sleep(for: .seconds(1))
        let attempts = statusWrites()
        try await Task.sleep(for: .seconds(2))
        #expect(statusWrites() == attempts)
    }
}
