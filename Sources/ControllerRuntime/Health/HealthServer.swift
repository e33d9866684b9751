import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Serves /healthz, /readyz and /metrics over plain HTTP/1.1.
///
/// - `/healthz`: 200 `ok` while the process serves at all (liveness).
/// - `/readyz`: 200 `ok` when `readiness` says so, else 503 with the reason.
/// - `/metrics`: the registry in Prometheus text format 0.0.4.
/// Anything else is 404; methods other than GET and HEAD are 405.
///
/// Expected flow: `start()` binds (port 0 picks a free port, see `port`),
/// `stop()` closes the listening socket and every open connection (so a
/// keep-alive scraper sees the server gone, as after a process exit).
public final class HealthServer: Sendable {
    public let host: String
    let requestedPort: Int
    let metrics: MetricsRegistry?
    let readiness: @Sendable () -> Readiness
    let channel = Mutex<(any Channel)?>(nil)
    let boundPort = Mutex<Int?>(nil)
    let connections = ConnectionSet()

    public init(host: String = "127.0.0.1", port: Int = 0, metrics: MetricsRegistry? = nil,
                readiness: @escaping @Sendable () -> Readiness = { .ready }) {
        self.host = host
        self.requestedPort = port
        self.metrics = metrics
        self.readiness = readiness
    }

    /// The port listened on, once started.
    public var port: Int? { boundPort.withLock { $0 } }

    /// `http://host:port`, once started.
    public var url: String? { port.map { "http://\(host.contains(":") ? "[\(host)]" : host):\($0)" } }

    /// Binds and starts serving; returns the port.
    @discardableResult
    public func start() async throws -> Int {
        let routes = HealthRoutes(metrics: metrics, readiness: readiness)
        let connections = self.connections
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HealthHandler(routes: routes))
                }
            }
            .bind(host: host, port: requestedPort).get()
        let port = channel.localAddress?.port ?? requestedPort
        self.channel.withLock { $0 = channel }
        boundPort.withLock { $0 = port }
        return port
    }

    /// Stops listening; returns once the socket is closed. Safe to call twice or before `start()`.
    public func stop() async {
        guard let channel = self.channel.withLock({ state -> (any Channel)? in
            defer { state = nil }
            return state
        }) else { return }
        try? await channel.close()
        for connection in connections.removeAll() { try? await connection.close() }
    }
}

/// The server's open connections, so `stop()` can close them.
final class ConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in self?.channels.withLock { _ = $0.removeValue(forKey: id) } }
    }

    func removeAll() -> [any Channel] {
        channels.withLock { channels in
            defer { channels = [:] }
            return Array(channels.values)
        }
    }
}

/// What each path answers: pure, so it is tested without sockets.
struct HealthRoutes: Sendable {
    let metrics: MetricsRegistry?
    let readiness: @Sendable () -> Readiness

    struct Response: Equatable {
        var status: Int
        var contentType = "text/plain; charset=utf-8"
        var body: String
    }

    func respond(method: String, path: String) -> Response {
        let path = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        guard method == "GET" || method == "HEAD" else { return Response(status: 405, body: "method not allowed\n") }
        switch path {
        case "/healthz", "/livez":
            return Response(status: 200, body: "ok\n")
        case "/readyz":
            let state = readiness()
            return state.isReady ? Response(status: 200, body: "ok\n") : Response(status: 503, body: state.reason + "\n")
        case "/metrics":
            guard let metrics else { return Response(status: 404, body: "no metrics registry\n") }
            return Response(status: 200, contentType: MetricsRegistry.contentType, body: metrics.render())
        default:
            return Response(status: 404, body: "not found\n")
        }
    }
}

/// One connection: answers each request as it completes.
final class HealthHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let routes: HealthRoutes
    private var head: HTTPRequestHead?

    init(routes: HealthRoutes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let response = routes.respond(method: head.method.rawValue, path: head.uri)
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        body.writeString(response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status),
                                            headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
