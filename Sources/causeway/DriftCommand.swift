import ArgumentParser
import EvolutionAPI
import EvolutionController
import KubeClient
import KubeJSON
import Ledger

/// `causeway drift`: a gate for pipelines, answering "does what runs still match what the
/// Evolutions applied?" from live reads, not from what the controller last saw.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Re-read every object the Evolutions applied, on every target, and list what someone else changed.",
        discussion: """
            Compares each object with what its Evolution's status says Causeway owns there (the fields of its \
            field manager and their values after its last apply); fields Causeway does not own are not compared. \
            Targets are read with your credentials: their kubeconfig Secrets must be readable to you.
            Exits 0 when nothing drifted, 1 when something did, 2 when a target or kind could not be checked.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("A"), .long], help: "Scan Evolutions in every namespace.")
    var allNamespaces = false

    @Option(name: [.short, .customLong("output")], help: "Output format: table or json.")
    var output: Format = .table

    @Argument(help: "Only this Evolution.")
    var evolution: String?

    enum Format: String, ExpressibleByArgument { case table, json }

    func run() async throws {
        let client = try cluster.client()
        let listed: [JSON]
        do {
            if let evolution {
                listed = [try await client.get(.evolutions, name: evolution, namespace: client.config.namespace)]
            } else {
                listed = try await client.listAll(.evolutions, namespace: allNamespaces ? nil : client.config.namespace).items
            }
        } catch {
            throw CommandFailure("cannot read Evolutions: \(error)")
        }
        let report = await DriftScan.scan(listed, reader: client)
        switch output {
        case .json: say(Self.json(report).prettyString())
        case .table: Self.printTable(report)
        }
        for gap in report.unchecked { printError("unchecked: \(gap.namespace)/\(gap.evolution) on \(gap.target): \(gap.reason)") }
        if !report.unchecked.isEmpty { throw ExitCode(2) }
        if !report.findings.isEmpty { throw ExitCode(1) }
    }

    static func printTable(_ report: DriftScan.Report) {
        guard !report.findings.isEmpty else {
            say("no drift: \(report.checkedObjects) objects of \(report.evolutions) Evolutions match what they applied")
            return
        }
        let header = ["EVOLUTION", "TARGET", "OBJECT", "FIELDS", "WHO", "WHEN", "POLICY", "STATE"]
        let rows = report.findings.map { f -> [String] in
            let d = f.deviation
            return ["\(f.namespace)/\(f.evolution)", d.target, d.object.description,
                    d.kind == .deleted ? "(deleted)" : (d.fields.isEmpty ? "(values)" : d.fields.joined(separator: ",")),
                    d.who, d.time ?? "-", f.policy.rawValue, f.recorded ? "Recorded" : "New"]
        }
        say(LedgerRendering.columns([header] + rows), terminator: "")
    }

    static func json(_ report: DriftScan.Report) -> JSON {
        [
            "checkedObjects": .int(Int64(report.checkedObjects)),
            "drifted": .array(report.findings.map { f in
                guard case .object(var o) = f.deviation.json else { return f.deviation.json }
                o["evolution"] = .string(f.evolution)
                o["namespace"] = .string(f.namespace)
                o["policy"] = .string(f.policy.rawValue)
                o["state"] = .string(f.recorded ? "Recorded" : "New")
                return .object(o)
            }),
            "unchecked": .array(report.unchecked.map {
                ["evolution": .string($0.evolution), "namespace": .string($0.namespace), "target": .string($0.target), "reason": .string($0.reason)]
            }),
        ]
    }
}
