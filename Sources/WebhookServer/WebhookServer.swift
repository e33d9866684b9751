import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTPS server for admission webhooks: HTTP/1.1 over TLS with swift-nio, one `handler`
/// call per request (off the event loop), and a serving certificate that can be replaced
/// while it runs (new connections use the new one), as a rotated Secret requires.
public final class WebhookServer: Sendable {
    public typealias Handler = @Sendable (_ method: String, _ path: String, _ body: [UInt8]) async -> (status: Int, body: [UInt8])

    private let channel: any Channel
    private let context: ContextBox
    public let port: Int

    private init(channel: any Channel, context: ContextBox, port: Int) {
        self.channel = channel
        self.context = context
        self.port = port
    }

    public static func start(host: String = "127.0.0.1", port: Int = 0, certificatePEM: String, keyPEM: String,
                             handler: @escaping Handler) async throws -> WebhookServer {
        let box = ContextBox(try makeContext(certificatePEM: certificatePEM, keyPEM: keyPEM))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: box.current))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        return WebhookServer(channel: channel, context: box, port: channel.localAddress?.port ?? port)
    }

    /// Serves `certificatePEM` from the next connection on; a bad pair is refused and the old one kept.
    public func reload(certificatePEM: String, keyPEM: String) throws {
        let next = try Self.makeContext(certificatePEM: certificatePEM, keyPEM: keyPEM)
        context.mutex.withLock { $0 = next }
    }

    public func stop() async {
        try? await channel.close()
    }

    static func makeContext(certificatePEM: String, keyPEM: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain,
                                                           privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
        tls.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: tls)
    }
}

/// Lets the channel initializer read the current context while `reload` replaces it.
private final class ContextBox: Sendable {
    let mutex: Mutex<NIOSSLContext>
    init(_ context: NIOSSLContext) { mutex = Mutex(context) }
    var current: NIOSSLContext { mutex.withLock { $0 } }
}

private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: WebhookServer.Handler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// An AdmissionReview carries one object (the API server caps objects at 3 MiB): twice that at most.
    static let maxBody = 6 * 1024 * 1024

    init(handler: @escaping WebhookServer.Handler) { self.handler = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(let chunk):
            guard !tooLarge else { return }
            if body.count + chunk.readableBytes > Self.maxBody { tooLarge = true; body = [] } else { body += chunk.readableBytesView }
        case .end:
            guard let head else { return }
            if tooLarge {
                let response = Array(#"{"message":"request body too large"}"#.utf8)
                context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: .payloadTooLarge,
                    headers: HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(response.count)"), ("Connection", "close")])))), promise: nil)
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(bytes: response)))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
                return
            }
            let (method, path, bytes, keepAlive) = (head.method.rawValue, head.uri, body, head.isKeepAlive)
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let handler = self.handler
            Task {
                let (status, response) = await handler(method, path, bytes)
                loop.execute {
                    let context = bound.value
                    var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(response.count)")])
                    if !keepAlive { headers.add(name: "Connection", value: "close") }
                    context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status),
                                                                                      headers: headers))), promise: nil)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(bytes: response)))), promise: nil)
                    let channel = context.channel
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                        if !keepAlive { channel.close(promise: nil) }
                    }
                }
            }
        }
    }
}
