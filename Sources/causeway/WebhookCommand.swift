import AdmissionService
import ArgumentParser
import EvolutionAdmission
import EvolutionAPI
import Foundation
import KubeClient
import KubeJSON
import Logging
import WebhookServer

/// `causeway webhook`: the admission webhook that stamps acknowledgments and retry requests
/// with the user the API server authenticated (`AckStamping`), and journals (and, where frozen,
/// denies) writes by anyone else to what Causeway applied (`GovernedWrites`). Deploy/overlays/webhook
/// runs it with a MutatingWebhookConfiguration (failurePolicy Ignore: an edit is never blocked by
/// it; what it could not stamp is unattributed) and ValidatingWebhookConfigurations (Ignore for
/// the journal, Fail for frozen objects).
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Serve Causeway's admission webhook over HTTPS: stamps who acknowledged or retried a step, journals and freezes writes to what Causeway applied.",
        discussion: "Paths: POST /mutate-evolutions and POST /validate-governed (AdmissionReview, admission.k8s.io/v1), GET /healthz. The journal is written with --kubeconfig (or the in-cluster account): ConfigMap causeway-admission-journal in each governed object's namespace. The serving certificate comes from files or a kubernetes.io/tls Secret and is re-read every --reload-seconds; a changed pair is served from the next connection on.")

    @Option(help: "Address to listen on.") var host = "0.0.0.0"
    @Option(help: "Port to listen on (0 picks one and prints it).") var port = 9443
    @Option(help: "PEM serving certificate (chain).") var certFile: String?
    @Option(help: "PEM private key of the serving certificate.") var keyFile: String?
    @Option(help: "A kubernetes.io/tls Secret holding the serving certificate, as NAMESPACE/NAME (read with --kubeconfig or in-cluster).")
    var certSecret: String?
    @Option(help: "Path to a kubeconfig, for --cert-secret, --stamp-key-secret and the journal; default: in-cluster config, else $KUBECONFIG or ~/.kube/config.")
    var kubeconfig: String?
    @Option(help: "The key stamps are signed with (32+ bytes, as written by the controller), from a file.") var stampKeyFile: String?
    @Option(help: "The Secret the controller keeps the stamp key in, as NAMESPACE/NAME (field \(StampKey.secretField)).")
    var stampKeySecret: String?
    @Option(help: "How often to re-read the certificate, in seconds.") var reloadSeconds = 10
    @Flag(inversion: .prefixedNo, help: "Journal writes to governed objects (needs cluster access: --kubeconfig or in-cluster).")
    var journal = true
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if certSecret == nil && (certFile == nil || keyFile == nil) {
            throw ValidationError("give the serving certificate: --cert-file and --key-file, or --cert-secret NAMESPACE/NAME")
        }
        if let certSecret, certSecret.split(separator: "/").count != 2 {
            throw ValidationError("--cert-secret must be NAMESPACE/NAME, not \"\(certSecret)\"")
        }
        if (stampKeyFile == nil) == (stampKeySecret == nil) {
            throw ValidationError("give the stamp key (what makes a stamp the webhook's): --stamp-key-file or --stamp-key-secret NAMESPACE/NAME (the controller makes causeway-system/\(StampKey.secretName))")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap(defaultLevel: .info)
        // One client for every Secret read (the certificate's, every reload, and the stamp key's).
        let secrets: SecretReader?
        do { secrets = certSecret == nil && stampKeySecret == nil && !journal ? nil : try SecretReader(kubeconfig: kubeconfig) } catch {
            throw CommandFailure("cannot reach the cluster (for \(journal ? "the journal" : "the Secrets")): \(error); give --kubeconfig, run in-cluster\(journal ? ", or --no-journal" : "")")
        }
        let source = try certificateSource(secrets)
        var pair = try await source()
        let stampKey = StampKey(bytes: try await stampKeyBytes(secrets))
        let log = logger
        let writer = journal ? secrets.map { WebhookJournal(client: $0.client, logger: logger) } : nil
        let routes = AdmissionRoutes(key: stampKey, journal: writer, logger: log)
        let server = try await WebhookServer.start(host: host, port: port, certificatePEM: pair.certificate, keyPEM: pair.key) { method, path, body in
            await routes.handle(method: method, path: path, body: body)
        }
        say("causeway webhook: serving https://\(host):\(server.port) (POST /mutate-evolutions, POST /validate-governed, GET /healthz)"
            + (writer == nil ? "; journal off (--no-journal): writes to governed objects are frozen where asked but recorded nowhere" : ""))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(max(1, reloadSeconds)))
            do {
                let next = try await source()
                guard next != pair else { continue }
                try server.reload(certificatePEM: next.certificate, keyPEM: next.key)
                pair = next
                logger.info("serving a new certificate")
            } catch {
                logger.error("cannot reload the serving certificate; still serving the previous one", metadata: ["error": "\(error)"])
            }
        }
    }

    struct Pair: Equatable { var certificate: String; var key: String }

    private func certificateSource(_ secrets: SecretReader?) throws -> @Sendable () async throws -> Pair {
        if let certFile, let keyFile {
            return {
                guard let certificate = FileManager.default.contents(atPath: certFile), let key = FileManager.default.contents(atPath: keyFile) else {
                    throw CommandFailure("cannot read \(certFile) or \(keyFile)")
                }
                return Pair(certificate: String(decoding: certificate, as: UTF8.self), key: String(decoding: key, as: UTF8.self))
            }
        }
        guard let secrets, let reference = certSecret else { throw CommandFailure("give --cert-file and --key-file, or --cert-secret") }
        return {
            Pair(certificate: String(decoding: try await secrets.field(reference, "tls.crt"), as: UTF8.self),
                 key: String(decoding: try await secrets.field(reference, "tls.key"), as: UTF8.self))
        }
    }

    private func stampKeyBytes(_ secrets: SecretReader?) async throws -> [UInt8] {
        let bytes: [UInt8]
        if let stampKeyFile {
            guard let data = FileManager.default.contents(atPath: stampKeyFile) else { throw CommandFailure("cannot read \(stampKeyFile)") }
            bytes = Array(data)
        } else {
            guard let secrets, let reference = stampKeySecret else { throw CommandFailure("give --stamp-key-file or --stamp-key-secret") }
            bytes = try await secrets.field(reference, StampKey.secretField)
        }
        guard bytes.count >= 32 else {
            throw CommandFailure("the stamp key holds \(bytes.count) bytes, fewer than 32; the controller makes causeway-system/\(StampKey.secretName) on start")
        }
        return bytes
    }
}

/// Reads Secrets' fields with --kubeconfig, else the in-cluster config.
private struct SecretReader: Sendable {
    let client: KubeClient

    init(kubeconfig: String?) throws {
        let config = kubeconfig == nil ? (try? RESTConfig.inCluster()) : nil
        client = try KubeClient(config: try config ?? KubeConfig.load(paths: kubeconfig.map { [$0] } ?? KubeConfig.defaultPaths()).restConfig())
    }

    /// The decoded bytes of `field` in Secret `NAMESPACE/NAME`.
    func field(_ reference: String, _ field: String) async throws -> [UInt8] {
        let parts = reference.split(separator: "/").map(String.init)
        guard parts.count == 2 else { throw CommandFailure("a Secret is named NAMESPACE/NAME, not \"\(reference)\"") }
        let secret = try await client.get(.secrets, name: parts[1], namespace: parts[0])
        guard let encoded = secret[path: "data", field]?.stringValue, let data = Data(base64Encoded: encoded) else {
            throw CommandFailure("Secret \(reference) has no \(field)")
        }
        return Array(data)
    }
}

