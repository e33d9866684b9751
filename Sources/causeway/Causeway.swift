import ArgumentParser
import Foundation
import KubeClient

/// One binary, two front doors: `causeway …`, and `kubectl causeway …` when it is installed
/// (or symlinked) as `kubectl-causeway`, which is how kubectl finds plugins on the PATH.
@main
enum Entry {
    static func main() async {
        if URL(fileURLWithPath: CommandLine.arguments[0]).lastPathComponent == "kubectl-causeway" {
            await KubectlPlugin.main()
        } else {
            await Causeway.main()
        }
    }
}

struct Causeway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change governance for Kubernetes: ordered, convergence-checked, recorded.",
        version: CausewayVersion.current,
        subcommands: [Dev.self, ControllerCommand.self, WebhookCommand.self, LedgerCommand.self, AuditCommand.self, DriftCommand.self, PlanCommand.self, ReferenceCommand.self, KubeSimCommand.self, Convert.self, Get.self])
}

/// Options for commands that talk to a cluster.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    @Option(name: [.short, .long], help: "Namespace (default: the context's).")
    var namespace: String?

    func client() throws -> KubeClient {
        let paths = kubeconfig.map { [$0] } ?? KubeConfig.defaultPaths()
        var config = try KubeConfig.load(paths: paths).restConfig(context: context)
        if let namespace { config.namespace = namespace }
        return try KubeClient(config: config)
    }
}

/// Writes a line to stderr, for errors and progress that must not mix with output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A failure to report as "Error: …" with exit status 1, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to stdout at once: `print` is fully buffered when stdout is a
/// pipe, and progress must show as it happens.
func say(_ line: String = "", terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((line + terminator).utf8))
}
