import ArgumentParser
import Foundation
import KubeJSON
import KubeYAML
import Ledger

/// Where a ledger is read from: a directory of file ledgers, or a cluster's ConfigMaps.
struct LedgerSource: ParsableArguments {
    @Option(help: "Directory of file ledgers (what `causeway controller` and `causeway dev` write).")
    var dir: String?

    @OptionGroup var cluster: ClusterOptions

    /// Every ledger of the Evolution named `name` (one per uid: a deleted and re-created Evolution has two),
    /// or every ledger there is when `name` is nil.
    func ledgers(named name: String?) async throws -> [(EvolutionRef, [LedgerEntry])] {
        if let dir {
            return try FileLedgerStore.ledgers(in: dir, name: name).map { ref in
                (ref, try FileLedgerStore.read(directory: dir, evolution: ref).entries)
            }
        }
        let client = try cluster.client()
        var result: [(EvolutionRef, [LedgerEntry])] = []
        for found in try await ConfigMapLedgerStore.ledgers(client: client, namespace: client.config.namespace, name: name) {
            result.append((found.evolution, try await ConfigMapLedgerStore(client: client, evolution: found.evolution).load()))
        }
        return result
    }

    func only(_ name: String) async throws -> (EvolutionRef, [LedgerEntry]) {
        let found = try await ledgers(named: name)
        guard let newest = found.last else {
            throw CommandFailure("no ledger for evolution \"\(name)\" \(dir.map { "in \($0)" } ?? "in namespace of the current context")")
        }
        return newest
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Read an Evolution's hash-chained ledger.",
        subcommands: [Show.self, Verify.self, Export.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the ledger's entries.")
        @OptionGroup var source: LedgerSource
        @Option(name: [.short, .customLong("output")], help: "table, json or yaml.") var output = "table"
        @Argument(help: "The Evolution's name.") var evolution: String

        func run() async throws {
            let (_, entries) = try await source.only(evolution)
            switch output {
            case "json": say(LedgerRendering.json(entries).prettyString())
            case "yaml": say(try YAML.emit(LedgerRendering.json(entries)))
            default: say(LedgerRendering.table(entries))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the chain; exit 1 at the first bad entry.")
        @OptionGroup var source: LedgerSource
        @Argument(help: "The Evolution's name.") var evolution: String

        func run() async throws {
            let (ref, entries) = try await source.only(evolution)
            let report = LedgerVerifier.verify(entries, evolution: ref)
            say(LedgerRendering.verification(report, evolution: ref))
            if report.violation != nil { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print ledgers as JSON lines, one entry per line (every ledger when no name is given).")
        @OptionGroup var source: LedgerSource
        @Argument(help: "The Evolution's name; omit for all.") var evolution: String?

        func run() async throws {
            for (_, entries) in try await source.ledgers(named: evolution) {
                FileHandle.standardOutput.write(Data(LedgerRendering.jsonLines(entries).utf8))
            }
        }
    }
}

/// The essay's audit questions, answered from the ledger.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "What changed, in what order, who initiated it, and whether convergence was confirmed before each next step.",
        discussion: "Exits 1 when any successor started before its predecessor's convergence was confirmed.")
    @OptionGroup var source: LedgerSource
    @Argument(help: "The Evolution's name; omit to audit every ledger.") var evolution: String?

    func run() async throws {
        let ledgers = try await source.ledgers(named: evolution)
        if ledgers.isEmpty { throw CommandFailure("no ledgers found") }
        var violated = false
        for (ref, entries) in ledgers {
            if evolution == nil { say("== \(ref.namespace)/\(ref.name) (uid \(ref.uid))") }
            say(try LedgerRendering.audit(entries))
            let audit = try LedgerQueries(entries: entries).convergenceAudit()
            if audit.contains(where: { $0.confirmed == false }) { violated = true }
        }
        if violated { throw ExitCode(1) }
    }
}
