import ArgumentParser
import EvolutionAPI
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeYAML
import Ledger

/// `kubectl causeway VERB`: the same binary, installed (or symlinked) as `kubectl-causeway` on
/// the PATH. Flags are kubectl's (`--kubeconfig`, `--context`, `-n`, `-A`, `-o`; `KUBECONFIG`
/// is honoured). Each error is one line saying what failed and how to fix it, and exits non-zero.
struct KubectlPlugin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl causeway",
        abstract: "Operate Causeway Evolutions: see them, acknowledge, retry, pause, and read their ledgers.",
        subcommands: [PluginGet.self, PluginStatus.self, PluginAck.self, PluginRetry.self, PluginPause.self, PluginResume.self,
                      LedgerCommand.self, LedgerCommand.Verify.self, AuditCommand.self, DriftCommand.self, PlanCommand.self])
}

/// The Evolution as the cluster has it, or a one-line error that says what to do.
func fetchEvolution(_ name: String, cluster: ClusterOptions) async throws -> (KubeClient, JSON) {
    let client = try cluster.client()
    let namespace = client.config.namespace
    do {
        return (client, try await client.get(.evolutions, name: name, namespace: namespace))
    } catch {
        throw pluginFailure(error, doing: "read evolution \"\(name)\" in namespace \"\(namespace)\"", client: client)
    }
}

/// One line for a failed request: the API server's own reason, or that the cluster did not answer.
func pluginFailure(_ error: KubeClientError, doing what: String, client: KubeClient) -> CommandFailure {
    switch error {
    case .api(let status) where status.code == 404:
        return CommandFailure("cannot \(what): not found (kubectl causeway get -A lists the Evolutions you can see)")
    case .api(let status):
        return CommandFailure("cannot \(what): \(status.message)")
    case .transport:
        return CommandFailure("cannot \(what): the cluster at \(client.config.server) did not answer (\(error)); check --kubeconfig and --context")
    default:
        return CommandFailure("cannot \(what): \(error)")
    }
}

struct PluginGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "List Evolutions with their phase, progress, current steps and drift.")
    @OptionGroup var cluster: ClusterOptions
    @Flag(name: [.customShort("A"), .long], help: "Every namespace.") var allNamespaces = false
    @Option(name: [.short, .customLong("output")], help: "table, wide, json or yaml.") var output = "table"
    @Argument(help: "Only this Evolution.") var evolution: String?

    func run() async throws {
        let client = try cluster.client()
        let items: [JSON]
        do {
            if let evolution { items = [try await client.get(.evolutions, name: evolution, namespace: client.config.namespace)] }
            else { items = try await client.listAll(.evolutions, namespace: allNamespaces ? nil : client.config.namespace).items }
        } catch {
            throw pluginFailure(error, doing: evolution.map { "read evolution \"\($0)\"" } ?? "list evolutions", client: client)
        }
        switch output {
        case "json": say((items.count == 1 && evolution != nil ? items[0] : ["apiVersion": "v1", "kind": "List", "items": .array(items)]).prettyString())
        case "yaml": say(try YAML.emit(items.count == 1 && evolution != nil ? items[0] : ["apiVersion": "v1", "kind": "List", "items": .array(items)]))
        case "table", "wide":
            if items.isEmpty { say("No Evolutions found\(allNamespaces ? "" : " in namespace \(client.config.namespace)")."); return }
            var rows: [[String]] = [(allNamespaces ? ["NAMESPACE"] : []) + ["NAME", "PHASE", "PROGRESS", "CURRENT", "DRIFTED"] + (output == "wide" ? ["MESSAGE"] : [])]
            for item in items {
                let status = EvolutionStatus(json: item["status"])
                rows.append((allNamespaces ? [item[path: "metadata", "namespace"]?.stringValue ?? ""] : [])
                    + [item[path: "metadata", "name"]?.stringValue ?? "", status.phase.rawValue, status.progress.isEmpty ? "-" : status.progress,
                       status.currentSteps.isEmpty ? "-" : status.currentSteps, "\(status.drifted)"]
                    + (output == "wide" ? [status.message] : []))
            }
            say(LedgerRendering.columns(rows), terminator: "")
        default:
            throw ValidationError("-o must be table, wide, json or yaml, not \"\(output)\"")
        }
    }
}

struct PluginStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status",
        abstract: "One Evolution as a grid of steps × targets: what each cell is doing or waiting for, and why the Evolution is not progressing.")
    @OptionGroup var cluster: ClusterOptions
    @Option(name: [.short, .customLong("output")], help: "grid or json (the status).") var output = "grid"
    @Argument(help: "The Evolution's name.") var evolution: String

    func run() async throws {
        let (_, object) = try await fetchEvolution(evolution, cluster: cluster)
        if output == "json" { say((object["status"] ?? [:]).prettyString()); return }
        say(Self.grid(object), terminator: "")
    }

    /// The grid: a row per step (forward, then compensation), a column per target.
    static func grid(_ object: JSON) -> String {
        let status = EvolutionStatus(json: object["status"])
        let spec = try? Evolution(json: object).spec
        let name = "\(object[path: "metadata", "namespace"]?.stringValue ?? "")/\(object[path: "metadata", "name"]?.stringValue ?? "")"
        var out = "\(name): \(status.phase.rawValue) \(status.progress)\n"
        if !status.message.isEmpty { out += "  \(status.message)\n" }
        let targets = spec.map { $0.targets.map(\.name) } ?? Array(Set(status.steps.flatMap { $0.targets.map(\.name) })).sorted()
        let open = status.drift.unresolved
        var rows: [[String]] = [["STEP", "SYNC"] + targets]
        for step in status.steps {
            let declared = spec?.steps.first { $0.name == step.name }
            let sync = declared.map { $0.sync == .lockstep ? "Lockstep" : "Independent" } ?? "-"
            rows.append([step.name, sync] + targets.map { target in
                guard let cell = step.target(target) else { return "·" }
                if open.contains(where: { $0.record.target == target && $0.record.step == step.name }) { return "drifted" }
                return cellText(cell, step: step)
            })
        }
        out += LedgerRendering.columns(rows)
        if let halt = status.halt { out += "Halted: \(halt.step) failed on \(halt.target): \(halt.message)\n" }
        for deviation in open { out += "Drifted: \(deviation.record.summary)\n" }
        if let ready = status.condition("Ready") { out += "Ready=\(ready.status) (\(ready.reason))\n" }
        return out
    }

    static func cellText(_ cell: TargetState, step: StepState) -> String {
        let text: String
        switch cell.phase {
        case .pending: text = step.phase == .waitingForAcknowledgment ? "awaiting ack" : "pending"
        case .converging: text = cell.message.isEmpty ? "converging" : "converging: \(cell.message)"
        case .failed: text = "failed: \(cell.reason ?? cell.message)"
        default: text = cell.phase.rawValue.lowercased()
        }
        return text.count > 48 ? String(text.prefix(47)) + "…" : text
    }
}

struct PluginAck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack",
        abstract: "Acknowledge a step that waits for one (annotation ack.causeway.dev/STEP); the ledger records who.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Why (recorded as the annotation's value).") var reason = "approved"
    @Argument(help: "The Evolution's name.") var evolution: String
    @Argument(help: "The step.") var step: String

    func run() async throws {
        let (client, object) = try await fetchEvolution(evolution, cluster: cluster)
        try requireStep(step, in: object)
        try await annotate(client, object, [AdmissionStamp.ackAnnotationPrefix + step: .string(reason)], doing: "acknowledge \(step) on")
        say("evolution.causeway.dev/\(evolution): acknowledged step \(step)")
    }
}

struct PluginRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry",
        abstract: "Retry a failed step (annotation retry.causeway.dev/step); each request is honoured once.")
    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "The Evolution's name.") var evolution: String
    @Argument(help: "The failed step.") var step: String

    func run() async throws {
        let (client, object) = try await fetchEvolution(evolution, cluster: cluster)
        try requireStep(step, in: object)
        // The same value set again changes nothing: clear it first, so this is a new request.
        if object[path: "metadata", "annotations", AdmissionStamp.retryAnnotation]?.stringValue == step {
            try await annotate(client, object, [AdmissionStamp.retryAnnotation: .null], doing: "retry \(step) on")
        }
        try await annotate(client, object, [AdmissionStamp.retryAnnotation: .string(step)], doing: "retry \(step) on")
        say("evolution.causeway.dev/\(evolution): retry of step \(step) requested")
    }
}

struct PluginPause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop new steps from starting (spec.paused); steps in flight finish their current wait.")
    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "The Evolution's name.") var evolution: String
    func run() async throws { try await setPaused(true, evolution, cluster) }
}

struct PluginResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let steps start again (spec.paused: false).")
    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "The Evolution's name.") var evolution: String
    func run() async throws { try await setPaused(false, evolution, cluster) }
}

private func requireStep(_ step: String, in object: JSON) throws {
    let steps = (object[path: "spec", "steps"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        + (object[path: "spec", "onFailure", "compensation"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    guard steps.contains(step) else {
        throw CommandFailure("step \"\(step)\" is not in evolution \(object[path: "metadata", "name"]?.stringValue ?? ""); its steps: \(steps.joined(separator: ", "))")
    }
}

private func annotate(_ client: KubeClient, _ object: JSON, _ annotations: JSONObject, doing what: String) async throws {
    try await patchEvolution(client, object, ["metadata": ["annotations": .object(annotations)]], doing: what)
}

/// A merge patch of the Evolution as field manager kubectl-causeway; a refusal is one line.
private func patchEvolution(_ client: KubeClient, _ object: JSON, _ patch: JSON, doing what: String) async throws {
    let name = object[path: "metadata", "name"]?.stringValue ?? ""
    do {
        _ = try await client.patch(.evolutions, name: name, namespace: object[path: "metadata", "namespace"]?.stringValue, .merge(patch),
                                   options: WriteOptions(fieldManager: "kubectl-causeway"))
    } catch {
        throw pluginFailure(error, doing: "\(what) evolution \"\(name)\"", client: client)
    }
}

private func setPaused(_ paused: Bool, _ evolution: String, _ cluster: ClusterOptions) async throws {
    let (client, object) = try await fetchEvolution(evolution, cluster: cluster)
    try await patchEvolution(client, object, ["spec": ["paused": .bool(paused)]], doing: paused ? "pause" : "resume")
    say("evolution.causeway.dev/\(evolution): \(paused ? "paused" : "resumed")")
}
