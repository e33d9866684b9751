import Foundation
import KubeJSON
import KubeYAML
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An embedded Kubernetes API server that answers as the real one does
/// (KUBE-API.md), for tests, benchmarks and `causeway dev`. Not a mock: it
/// serves HTTPS on a real socket and real kubectl drives it. Several can run
/// in one process, one per simulated region.
public final class KubeSim: Sendable {
    public let options: KubeSimOptions
    /// The port it listens on.
    public let port: Int
    /// PEM of the CA that signed the serving certificate (nil when serving plain HTTP).
    public let certificateAuthorityPEM: String?
    let api: APIServer
    let faults: FaultInjector
    private let channel: Channel
    private let bookmarkTask: RepeatedTask

    /// Starts serving on 127.0.0.1.
    public static func start(_ options: KubeSimOptions = KubeSimOptions(), faultSeed: UInt64 = 1) async throws -> KubeSim {
        let api = APIServer(options: options)
        if let directory = options.dataDirectory { try api.restore(from: directory) }
        let faults = FaultInjector(seed: faultSeed)
        let certificates = options.tls ? try SimCertificates.generate(name: options.name) : nil
        let caPEM = certificates?.caPEM
        let sslContext: NIOSSLContext? = try certificates.map { certificates in
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificates.serverCertificatePEM.utf8), format: .pem))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.serverKeyPEM.utf8), format: .pem)))
            tls.applicationProtocols = ["http/1.1"]
            return try NIOSSLContext(configuration: tls)
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPHandler(api: api, faults: faults))
                }
            }
            .bind(host: "127.0.0.1", port: options.port).get()
        let seconds = Double(options.bookmarkInterval.components.seconds) + Double(options.bookmarkInterval.components.attoseconds) / 1e18
        let interval = TimeAmount.milliseconds(Int64(max(seconds, 0.01) * 1000))
        let bookmarkTask = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            DispatchQueue.global().async { api.sendBookmarks() }
        }
        let saver = options.dataDirectory.map { SnapshotSaver(api: api, directory: $0) }
        let saveTask = saver.map { saver in
            channel.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                DispatchQueue.global().async { saver.save() }
            }
        }
        return KubeSim(options: options, port: channel.localAddress?.port ?? 0, ca: caPEM, api: api, faults: faults,
                       channel: channel, bookmarkTask: bookmarkTask, saver: saver, saveTask: saveTask)
    }

    private let saver: SnapshotSaver?
    private let saveTask: RepeatedTask?

    private init(options: KubeSimOptions, port: Int, ca: String?, api: APIServer, faults: FaultInjector, channel: Channel,
                 bookmarkTask: RepeatedTask, saver: SnapshotSaver?, saveTask: RepeatedTask?) {
        self.saver = saver
        self.saveTask = saveTask
        self.options = options
        self.port = port
        self.certificateAuthorityPEM = ca
        self.api = api
        self.faults = faults
        self.channel = channel
        self.bookmarkTask = bookmarkTask
    }

    public var url: String { "\(options.tls ? "https" : "http")://127.0.0.1:\(port)" }

    /// Stops listening and ends every watch.
    public func stop() async {
        bookmarkTask.cancel()
        saveTask?.cancel()
        saver?.save()
        api.lock.withLock {
            for key in api.store.types.keys { for w in api.store.watchers(of: key) { w.close() } }
        }
        try? await channel.close()
    }

    /// Replaces the active fault rules (and optionally reseeds them).
    public func injectFaults(_ rules: [FaultRule], seed: UInt64? = nil) {
        faults.set(rules, seed: seed)
    }

    /// A kubeconfig for this server, authenticating with `token`.
    public func kubeconfig(token: String = "admin-token", namespace: String = "default") -> String {
        var cluster: JSONObject = ["server": .string(url)]
        if let ca = certificateAuthorityPEM { cluster.set("certificate-authority-data", .string(Data(ca.utf8).base64EncodedString())) }
        let config: JSON = [
            "apiVersion": "v1", "kind": "Config", "current-context": .string(options.name),
            "clusters": [["name": .string(options.name), "cluster": .object(cluster)]],
            "users": [["name": .string("\(options.name)-user"), "user": ["token": .string(token)]]],
            "contexts": [["name": .string(options.name),
                          "context": ["cluster": .string(options.name), "user": .string("\(options.name)-user"), "namespace": .string(namespace)]]],
        ]
        return (try? YAML.emit(config)) ?? config.prettyString()
    }

    public func writeKubeconfig(to path: String, token: String = "admin-token") throws {
        try kubeconfig(token: token).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Every write the server accepted, in order: scenario tests prove ordering from it.
    public var writeLog: [WriteRecord] { api.lock.withLock { api.writeLog } }

    /// Every request received, in order, with `KubeSimOptions.recordRequests` (else empty).
    public var requestLog: [RequestRecord] { api.lock.withLock { api.requestLog } }

    /// The current global resourceVersion.
    public var revision: Int64 { api.lock.withLock { api.store.revision } }

    /// Watches open on this server right now.
    public var watchCount: Int { api.lock.withLock { api.store.watcherCount } }
}
