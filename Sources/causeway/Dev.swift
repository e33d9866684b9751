import ArgumentParser
import ControllerRuntime
import EvolutionAPI
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML
import Ledger

/// `hack/dev.sh` runs this: the essay's incident, governed. Three simulated
/// regions (eu-west absorbs gateway policies slowly), a home cluster holding
/// the Evolution and the regions' kubeconfigs, the controller, and the
/// essay's Evolution — each ledger transition printed as it happens, and the
/// audit answer at the end.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Causeway locally on its embedded default: three simulated regions and the essay's evolution.")

    @Option(help: "Directory for kubeconfigs and the ledger.")
    var directory: String = ".causeway-dev"

    @Option(help: "The Evolution to apply.")
    var example: String = "Manifests/examples/essay.yaml"

    @Flag(help: "Acknowledge gated steps automatically after a short pause (otherwise run the printed kubectl command).")
    var autoAck = false

    @Flag(help: "Stop once the evolution has finished instead of serving until Ctrl-C.")
    var once = false

    @Flag(help: "Carry on from the last run's clusters and ledger (kept under the directory) instead of starting afresh.")
    var resume = false

    @Flag(help: "Print ledger transitions as lines even on a terminal (where the steps × regions grid is redrawn in place by default).")
    var plain = false

    @Option(help: ArgumentHelp("essay (the incident, governed), failure (rollouts fail in eu-west: the app step fails there and the flag is compensated off), drift (an on-call hotfix to the gateway policy in eu-west mid-run: recorded as a deviation and reported).",
                               valueName: DevScenario.allCases.map(\.rawValue).joined(separator: "|")))
    var scenario: DevScenario = .essay

    @OptionGroup var logging: LoggingOptions

    static let regions: [(name: String, absorbs: Duration)] = [
        ("us-east", .milliseconds(300)), ("eu-west", .seconds(4)), ("ap-south", .milliseconds(800)),
    ]

    func run() async throws {
        raiseDescriptorLimit()
        let interrupts = Interrupts()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledgerDirectory = directory + "/ledger"
        if !resume { try? FileManager.default.removeItem(atPath: ledgerDirectory) }
        let environment = try await DevEnvironment.start(directory: directory, regions: Self.regions, failingRollouts: scenario.failingRollouts,
                                                         extraNamespaces: scenario.extraNamespaces, resume: resume)
        let documents = try DevEnvironment.manifests(at: example)
        guard let evolution = documents.first(where: { $0["kind"] == "Evolution" }) else { throw CommandFailure("\(example) holds no Evolution") }
        let namespace = evolution[path: "metadata", "namespace"]?.stringValue ?? "default"
        let name = evolution[path: "metadata", "name"]?.stringValue ?? ""

        // What the example declares beside the Evolution (its account and that account's rights) goes first.
        try await DevEnvironment.apply(documents.filter { $0["kind"] != "Evolution" }, to: environment.home, namespace: namespace)
        var options = EvolutionController.Options(ledgerDirectory: ledgerDirectory)
        // The story prints on stdout; the controller's warnings and errors go to stderr beside it.
        options.logger = logging.bootstrap(defaultLevel: .warning)
        options.tenancy.controllerNamespace = "causeway-system"
        options.signer = try await LedgerSigningKeys.loadOrCreate(client: environment.controller, namespace: "causeway-system")
        let controller = EvolutionController(client: environment.controller, options: options)
        let running = Task { await controller.run() }
        let existing = resume ? try? await environment.home.get(DevEnvironment.evolutions, name: name, namespace: namespace) : nil
        let created: JSON
        if let existing { created = existing } else {
            created = try await environment.home.create(DevEnvironment.evolutions, evolution, namespace: namespace)
        }
        let ref = EvolutionRef(namespace: namespace, name: name, uid: created[path: "metadata", "uid"]?.stringValue ?? "")
        // The scenario's second Evolution, run at once beside the first on the same regions.
        var companion: (name: String, ref: EvolutionRef)?
        if let other = scenario.companion(of: evolution), let otherName = other[path: "metadata", "name"]?.stringValue {
            let made = try? await environment.home.get(DevEnvironment.evolutions, name: otherName, namespace: namespace)
            let stored: JSON
            if let made { stored = made } else { stored = try await environment.home.create(DevEnvironment.evolutions, other, namespace: namespace) }
            companion = (otherName, EvolutionRef(namespace: namespace, name: otherName, uid: stored[path: "metadata", "uid"]?.stringValue ?? ""))
            say("beside it: evolution \(namespace)/\(otherName), the same with the gateway policy Independent (objects in *\(DevScenario.independentSuffix) namespaces)")
        }
        say(existing == nil ? "\napplied \(example): evolution \(namespace)/\(name); transitions as the ledger records them:\n"
                            : "\nresumed evolution \(namespace)/\(name); transitions so far and from now on:\n")

        let ledgerFile = ledgerDirectory + "/" + FileLedgerStore.fileName(for: ref)
        var printed = 0
        var askedForAck: Set<String> = []
        var finished = false
        var acted = false
        // On a terminal the grid is redrawn in place; piped, the ledger's transitions scroll by as lines.
        let live = !plain && isatty(STDOUT_FILENO) == 1 ? LiveGrid() : nil
        let began = ContinuousClock.now
        while (!finished || !once) && !interrupts.happened {
            try await Task.sleep(for: .milliseconds(200))
            let current = try await environment.home.get(DevEnvironment.evolutions, name: name, namespace: namespace)
            if let live { live.draw(current, elapsed: ContinuousClock.now - began) } else {
                printed = TransitionPrinter.printNew(from: ledgerFile, after: printed)
            }
            if let told = try await scenario.act(on: current, environment: environment, acted: &acted) {
                if let live { live.note(told) } else { say("            (\(told))") }
            }
            var other: JSON?
            if let companion { other = try await environment.home.get(DevEnvironment.evolutions, name: companion.name, namespace: namespace) }
            for (evolutionName, shown) in [(name, current)] + (other.map { [(companion?.name ?? "", $0)] } ?? []) {
                for step in Self.awaitingAck(shown) where !askedForAck.contains("\(evolutionName)/\(step)") {
                    askedForAck.insert("\(evolutionName)/\(step)")
                    if autoAck || once {
                        live?.note("auto-acknowledging \(step) of \(evolutionName) in 2 s, as a human would with kubectl causeway ack")
                        if live == nil { say("            (auto-acknowledging \(step) of \(evolutionName) in 2 s, as a human would with kubectl annotate)") }
                        try await Task.sleep(for: .seconds(2))
                        _ = try await environment.home.patch(DevEnvironment.evolutions, name: evolutionName, namespace: namespace,
                                                             .merge(["metadata": ["annotations": [.init(stringLiteral: "ack.causeway.dev/\(step)"): "approved"]]]),
                                                             options: WriteOptions(fieldManager: "dev-operator"))
                        live?.note("acknowledged \(step) of \(evolutionName) as dev-operator")
                    } else {
                        let hint = "\(step) waits for acknowledgment: PATH=$PWD/.causeway-dev/bin:$PATH kubectl causeway ack \(evolutionName) \(step) -n \(namespace) --kubeconfig \(directory)/home.kubeconfig"
                        if let live { live.note(hint) } else { say("            → " + hint) }
                    }
                }
            }
            let phase = current[path: "status", "phase"]?.stringValue ?? ""
            let terminal = ["Converged", "Failed", "Halted"]
            let companionDone = other.map { terminal.contains($0[path: "status", "phase"]?.stringValue ?? "") } ?? true
            if !finished, terminal.contains(phase), companionDone, scenario.shown(current) {
                finished = true
                if let live { live.draw(current, elapsed: ContinuousClock.now - began) } else {
                    printed = TransitionPrinter.printNew(from: ledgerFile, after: printed)
                }
                say("\nevolution \(name): \(phase)")
                for line in scenario.epilogue(current) { say("  " + line) }
                if let companion {
                    say("  " + DevScenario.flagTimeline(try FileLedgerStore.read(directory: ledgerDirectory, evolution: ref).entries, label: "lockstep (\(name))"))
                    say("  " + DevScenario.flagTimeline(try FileLedgerStore.read(directory: ledgerDirectory, evolution: companion.ref).entries,
                                                        label: "independent (\(companion.name))"))
                }
                if !once { say("Still serving; press Ctrl-C to stop. kubeconfigs are in \(directory)/.") }
            }
            if finished && !once { await interrupts.wait(); break }
        }
        running.cancel()
        await running.value
        if !finished {
            // Stopping the clusters saves their state, so the story can go on from here.
            await environment.stop()
            say("\ninterrupted; the clusters and the ledger are kept in \(directory): hack/dev.sh --resume carries on")
            throw ExitCode(130)
        }
        try await TransitionPrinter.printAudit(directory: ledgerDirectory, evolution: ref, home: environment.home)
        await environment.stop()
    }

    /// Steps whose acknowledgment gate is what they wait for, as the engine reports it.
    static func awaitingAck(_ evolution: JSON) -> [String] {
        EvolutionStatus(json: evolution["status"]).steps.filter { $0.phase == .waitingForAcknowledgment }.map(\.name)
    }
}

/// The steps × regions grid (as `kubectl causeway status` draws it) redrawn in place on a
/// terminal, with the time since the Evolution was applied and the latest note: each frame moves
/// the cursor back over the previous one and clears below, so nothing scrolls.
final class LiveGrid {
    private var lines = 0
    private var latest = ""

    func note(_ text: String) { latest = text }

    func draw(_ evolution: JSON, elapsed: Duration) {
        var frame = String(format: "elapsed %.1f s\n", elapsed.seconds) + PluginStatus.grid(evolution)
        if !latest.isEmpty { frame += "→ \(latest)\n" }
        let erase = lines > 0 ? "\u{1B}[\(lines)F\u{1B}[J" : ""
        say(erase + frame, terminator: "")
        lines = frame.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    }
}

