import ArgumentParser
import EvolutionController
import Foundation
import KubeClient

/// Runs the Evolution controller against a cluster.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the Evolution controller: watch Evolutions and govern their steps across their targets.")

    @Option(help: "Path to a kubeconfig; default: in-cluster config when running in a pod, else $KUBECONFIG or ~/.kube/config.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(help: "Directory for the file ledger (one JSON-lines file per Evolution).")
    var ledgerDirectory: String = "causeway-ledger"

    @Option(help: "Concurrent reconciles (one Evolution is never reconciled twice at once).")
    var workers: Int = 2

    @Option(help: "This replica's identity in the ledger and in Events.")
    var identity: String = ProcessInfo.processInfo.hostName

    func run() async throws {
        let config: RESTConfig
        if kubeconfig == nil, let inCluster = try? RESTConfig.inCluster() {
            config = inCluster
        } else {
            config = try KubeConfig.load(paths: kubeconfig.map { [$0] } ?? KubeConfig.defaultPaths()).restConfig(context: context)
        }
        var options = EvolutionController.Options(ledgerDirectory: ledgerDirectory)
        options.workers = workers
        options.identity = identity
        let controller = EvolutionController(client: try KubeClient(config: config), options: options)
        say("causeway controller: watching Evolutions on \(config.server); ledger in \(ledgerDirectory)")
        let running = Task { await controller.run() }
        try await waitForInterrupt()
        say("causeway controller: stopping")
        running.cancel()
        await running.value
    }
}
