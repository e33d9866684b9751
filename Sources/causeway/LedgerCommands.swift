import ArgumentParser
import EvolutionAPI
import EvolutionController
import Foundation
import KubeJSON
import KubeYAML
import Ledger

/// One ledger as read, with what its store says about its newest entries.
struct LedgerReading {
    var evolution: EvolutionRef
    var entries: [LedgerEntry]
    var stored: LedgerAnchors.Stored
}

/// Where a ledger is read from: a directory of file ledgers, or a cluster's ConfigMaps.
struct LedgerSource: ParsableArguments {
    @Option(help: "Directory of file ledgers (what `causeway controller` and `causeway dev` write).")
    var dir: String?

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "The controller's namespace, where ConfigMap \(LedgerSigningKeys.publicKeysConfigMap) holds the keys checkpoints are signed with.")
    var controllerNamespace = "causeway-system"

    @Option(help: "The Evolution's uid: which ledger to read when the Evolution is gone and several were recorded under its name.")
    var uid: String?

    @Flag(help: "Accept a ConfigMap ledger whose signatures cannot be checked (the controller's public keys unreadable); by default that fails.")
    var allowUnanchored = false

    /// Every ledger of the Evolution named `name` (one per uid: a deleted and re-created Evolution has two),
    /// or every ledger there is when `name` is nil.
    func ledgers(named name: String?) async throws -> [LedgerReading] {
        if let dir {
            return try FileLedgerStore.ledgers(in: dir, name: name).map { ref in
                LedgerReading(evolution: ref, entries: try FileLedgerStore.read(directory: dir, evolution: ref).entries, stored: .notKept)
            }
        }
        let client = try cluster.client()
        var result: [LedgerReading] = []
        for found in try await ConfigMapLedgerStore.ledgers(client: client, namespace: client.config.namespace, name: name) {
            let store = ConfigMapLedgerStore(client: client, evolution: found.evolution)
            result.append(LedgerReading(evolution: found.evolution, entries: try await store.load(), stored: try await store.storedCheckpoint()))
        }
        return result
    }

    /// The ledger of the Evolution named `name`: of `--uid`, else of the live Evolution of that
    /// name (its uid read from the cluster, so a ledger someone labelled with a made-up uid is
    /// never picked), else the only one recorded under the name.
    func only(_ name: String) async throws -> LedgerReading {
        let found = try await ledgers(named: name)
        let where_ = dir.map { "in \($0)" } ?? "in namespace \((try? cluster.client().config.namespace) ?? "of the current context")"
        guard !found.isEmpty else { throw CommandFailure("no ledger for evolution \"\(name)\" \(where_)") }
        var wanted = uid
        if wanted == nil, let client = try? cluster.client(), let namespace = found.first?.evolution.namespace,
           let live = try? await client.get(.evolutions, name: name, namespace: namespace) {
            wanted = live[path: "metadata", "uid"]?.stringValue
        }
        if let wanted {
            guard let match = found.first(where: { $0.evolution.uid == wanted }) else {
                throw CommandFailure("no ledger of evolution \"\(name)\" with uid \(wanted) \(where_); recorded uids: \(found.map(\.evolution.uid).joined(separator: ", "))")
            }
            return match
        }
        guard found.count == 1 else {
            throw CommandFailure("evolution \"\(name)\" is gone and \(found.count) ledgers were recorded under its name; choose one with --uid: \(found.map(\.evolution.uid).joined(separator: ", "))")
        }
        return found[0]
    }

    /// The chain checked against its anchors: the signed head in the Evolution's status and the
    /// checkpoint kept with the newest entries, with the controller's published keys. What could
    /// not be checked is said in `notes`, never silently skipped.
    func verify(_ reading: LedgerReading) async -> (problems: [LedgerAnchors.Problem], notes: [String]) {
        var notes: [String] = []
        var anchor: LedgerCheckpoint?
        var keyring: LedgerKeyring?
        do {
            let client = try cluster.client()
            let evolution = try await client.get(.evolutions, name: reading.evolution.name, namespace: reading.evolution.namespace)
            if evolution[path: "metadata", "uid"]?.stringValue != reading.evolution.uid {
                notes.append("the Evolution \(reading.evolution.namespace)/\(reading.evolution.name) now is another one (uid \(evolution[path: "metadata", "uid"]?.stringValue ?? "?")); its status does not anchor this ledger")
            } else if let summary = EvolutionStatus(json: evolution["status"]).ledger, let checkpoint = summary.checkpoint {
                anchor = checkpoint
            } else {
                notes.append("the Evolution's status carries no signed anchor (status.ledger); only the chain was checked")
            }
        } catch {
            notes.append("status anchor not checked: cannot read the Evolution (\(error)); pass --kubeconfig for its cluster")
        }
        do {
            keyring = try await LedgerSigningKeys.keyring(client: try cluster.client(), namespace: controllerNamespace)
        } catch {
            notes.append("signatures not checked: cannot read ConfigMap \(controllerNamespace)/\(LedgerSigningKeys.publicKeysConfigMap) (\(error)); pass --controller-namespace or --kubeconfig")
        }
        var problems = LedgerAnchors.check(reading.entries, evolution: reading.evolution, anchor: anchor, stored: reading.stored, keyring: keyring)
        if keyring == nil, reading.stored != .notKept, !allowUnanchored {
            problems.append(.unanchored("a ConfigMap ledger can be edited by whoever may write ConfigMaps in \(reading.evolution.namespace), and without the controller's public keys nothing vouches for it (--allow-unanchored accepts that)"))
        }
        return (problems, notes)
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Read an Evolution's hash-chained ledger (`ledger EVO` shows it).",
        subcommands: [Show.self, Verify.self, Export.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the ledger's entries.")
        @OptionGroup var source: LedgerSource
        @Option(name: [.short, .customLong("output")], help: "table, json or yaml.") var output = "table"
        @Flag(name: [.short, .long], help: "Keep printing entries as they are appended (table rows), until interrupted.") var follow = false
        @Argument(help: "The Evolution's name.") var evolution: String

        func run() async throws {
            let entries = try await source.only(evolution).entries
            if follow {
                // The header and what is there, then each new entry as a row, read again every second.
                var shown = entries.count
                say(LedgerRendering.table(entries), terminator: "")
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    let now = try await source.only(evolution).entries
                    guard now.count > shown else { continue }
                    let rows = LedgerRendering.table(now).split(separator: "\n").map(String.init)
                    for row in rows.dropFirst(shown + 1) { say(row) }
                    shown = now.count
                }
                return
            }
            switch output {
            case "json": say(LedgerRendering.json(entries).prettyString())
            case "yaml": say(try YAML.emit(LedgerRendering.json(entries)))
            default: say(LedgerRendering.table(entries))
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the chain and compare it with its signed anchors; exit 1 on any broken link, head mismatch, bad signature or unanchored entry.")
        @OptionGroup var source: LedgerSource
        @Argument(help: "The Evolution's name.") var evolution: String

        func run() async throws {
            let reading = try await source.only(evolution)
            let (problems, notes) = await source.verify(reading)
            say(LedgerRendering.verification(LedgerVerifier.verify(reading.entries, evolution: reading.evolution), evolution: reading.evolution,
                                             anchorProblems: problems))
            for note in notes { say("note: \(note)") }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print ledgers as JSON lines, one entry per line (every ledger when no name is given).")
        @OptionGroup var source: LedgerSource
        @Argument(help: "The Evolution's name; omit for all.") var evolution: String?

        func run() async throws {
            for reading in try await source.ledgers(named: evolution) {
                FileHandle.standardOutput.write(Data(LedgerRendering.jsonLines(reading.entries).utf8))
            }
        }
    }
}

/// The essay's audit questions, answered from the ledger.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "What changed, in what order, who initiated it, and whether convergence was confirmed before each next step.",
        discussion: "Exits 1 when any successor started before its predecessor's convergence was confirmed, or when the ledger does not match its signed anchors (an audit of a rewritten ledger proves nothing).")
    @OptionGroup var source: LedgerSource
    @Argument(help: "The Evolution's name; omit to audit every ledger.") var evolution: String?

    func run() async throws {
        let ledgers = try await source.ledgers(named: evolution)
        if ledgers.isEmpty { throw CommandFailure("no ledgers found") }
        var violated = false
        for reading in ledgers {
            let ref = reading.evolution
            if evolution == nil { say("== \(ref.namespace)/\(ref.name) (uid \(ref.uid))") }
            let (problems, notes) = await source.verify(reading)
            if !problems.isEmpty {
                violated = true
                say(LedgerRendering.verification(LedgerVerifier.verify(reading.entries, evolution: ref), evolution: ref, anchorProblems: problems))
                continue
            }
            for note in notes { say("note: \(note)") }
            say(try LedgerRendering.audit(reading.entries))
            let audit = try LedgerQueries(entries: reading.entries).convergenceAudit()
            if audit.contains(where: { $0.confirmed == false }) { violated = true }
        }
        if violated { throw ExitCode(1) }
    }
}
