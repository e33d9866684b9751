import ArgumentParser
import EvolutionAdmission
import EvolutionAPI
import EvolutionController
import Foundation
import KubeClient
import Ledger
import ControllerRuntime

/// Runs the Evolution controller against a cluster.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the Evolution controller: watch Evolutions and govern their steps across their targets.")

    @Option(help: "Path to a kubeconfig; default: in-cluster config when running in a pod, else $KUBECONFIG or ~/.kube/config.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use.")
    var context: String?

    @Option(help: "Keep ledgers as files in this directory; without it they are ConfigMaps beside each Evolution.")
    var ledgerDirectory: String?

    @Option(help: "Concurrent reconciles (one Evolution is never reconciled twice at once).")
    var workers: Int = 2

    @Option(help: "This replica's identity in the ledger, in Events and in the leader Lease.")
    var identity: String = ProcessInfo.processInfo.hostName

    @Option(help: "Namespace of the leader-election Lease; empty disables leader election (run one replica only).")
    var leaderElectionNamespace: String = ""

    @Option(help: "Address for /healthz, /readyz and /metrics.")
    var healthAddress: String = "127.0.0.1"

    @Option(help: "Port for /healthz, /readyz and /metrics (0 picks one).")
    var healthPort: Int = 8081

    @Option(help: ArgumentHelp("The ServiceAccount (in each Evolution's namespace) an Evolution without spec.serviceAccountName acts as.",
                               discussion: "The controller never acts with its own rights: point this at an account without rights to make \"no account\" mean \"no power\"."))
    var defaultServiceAccount: String = "default"

    @Option(help: "Refuse kubeconfig Secrets outside the Evolution's namespace (--no-cross-namespace-refs=false allows them; they are still read as the Evolution's account).")
    var noCrossNamespaceRefs: Bool = true

    @Flag(help: "Honour only acknowledgments the admission webhook (causeway webhook) stamped with the user who made them.")
    var requireAttributedAcks = false

    @Flag(help: ArgumentHelp("Causeway's admission webhook (causeway webhook) is installed: mark what is applied so it journals and freezes writes to it, and name the person behind each deviation from its journals.",
                             discussion: "Deploy/overlays/webhook sets it. A departure then waits up to 2 s for its journal entry, which the webhook stores behind its answer. Without it, objects are not marked and an Evolution with spec.drift.freeze is refused (FreezeUnavailable)."))
    var admissionWebhook = false

    @OptionGroup var logging: LoggingOptions

    @Option(help: "The controller's own namespace: the ledger signing key's Secret (\(LedgerSigningKeys.secretName)) and the public keys' ConfigMap (\(LedgerSigningKeys.publicKeysConfigMap)) live there. Default: the pod's namespace in a cluster, else causeway-system.")
    var controllerNamespace: String?

    func validate() throws {
        if let problem = ServiceAccountNames.problem(defaultServiceAccount) {
            throw ValidationError("--default-service-account \"\(defaultServiceAccount)\" \(problem)")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap(defaultLevel: .info)
        raiseDescriptorLimit()
        let config: RESTConfig
        var ownNamespace = controllerNamespace ?? "causeway-system"
        if kubeconfig == nil, let inCluster = try? RESTConfig.inCluster() {
            config = inCluster
            ownNamespace = controllerNamespace ?? inCluster.namespace
        } else {
            config = try KubeConfig.load(paths: kubeconfig.map { [$0] } ?? KubeConfig.defaultPaths()).restConfig(context: context)
        }
        let client = try KubeClient(config: config)
        let signer: LedgerSigner
        do { signer = try await LedgerSigningKeys.loadOrCreate(client: client, namespace: ownNamespace) } catch {
            throw CommandFailure("cannot load or create the ledger signing key in namespace \(ownNamespace): \(error); the controller needs get/update on Secret \(LedgerSigningKeys.secretName), create on secrets, and get/create/update on ConfigMap \(LedgerSigningKeys.publicKeysConfigMap) there (Deploy/base grants them), or pass --controller-namespace")
        }
        var options = EvolutionController.Options(ledger: ledgerDirectory.map { .directory($0) } ?? .configMaps)
        options.workers = workers
        options.identity = identity
        options.logger = logger
        options.tenancy = TenancyPolicy(defaultServiceAccount: defaultServiceAccount, allowCrossNamespaceRefs: !noCrossNamespaceRefs,
                                        controllerNamespace: ownNamespace)
        options.signer = signer
        options.requireAttributedAcks = requireAttributedAcks
        options.admissionWebhook = admissionWebhook
        do {
            options.stampKey = StampKey(bytes: try await SecretKeys.storedOrNew(
                client: client, namespace: ownNamespace, name: StampKey.secretName, field: StampKey.secretField, make: StampKey.newBytes,
                problem: { $0.count < 32 ? "holds fewer than 32 bytes under \(StampKey.secretField)" : nil }))
        } catch {
            throw CommandFailure("cannot load or create the acknowledgment stamp key in namespace \(ownNamespace): \(error); the controller needs get on Secret \(StampKey.secretName) and create on secrets there (Deploy/base grants them)")
        }
        // Every key the controller ever published (a rotated key still verifies what it signed).
        options.keyring = try await LedgerSigningKeys.keyring(client: client, namespace: ownNamespace)
        let keysNamespace = ownNamespace
        options.refreshKeyring = { try await LedgerSigningKeys.keyring(client: client, namespace: keysNamespace) }
        let controller = EvolutionController(client: client, options: options)
        let election = leaderElectionNamespace.isEmpty ? nil
            : LeaderElectionConfig(namespace: leaderElectionNamespace, leaseName: "causeway-controller", identity: identity)
        let manager = controller.manager(leaderElection: election, health: (healthAddress, healthPort))
        say("causeway controller: watching Evolutions on \(config.server); ledger in \(ledgerDirectory ?? "ConfigMaps beside each Evolution")"
            + "; Evolutions act as their spec.serviceAccountName, else \(defaultServiceAccount)"
            + "; ledger checkpoints signed with key \(signer.keyID) (\(ownNamespace)/\(LedgerSigningKeys.secretName))"
            + (election.map { "; leader election on Lease \($0.namespace)/causeway-controller" } ?? ""))
        let exit = try await manager.runUntilSignalled()
        controller.finish()
        say("causeway controller: stopped (\(exit))")
        if exit == .leadershipLost { throw ExitCode(1) }
    }
}

/// Lifts the soft limit on open descriptors to the hard one, as Go's runtime does for
/// every Kubernetes component: each open file ledger holds two, each watch a socket,
/// and the soft default (often 1,024) is a relic of select(2), which nothing here uses.
func raiseDescriptorLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
