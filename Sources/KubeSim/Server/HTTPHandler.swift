import Foundation
import KubeJSON
import KubeYAML
import NIOCore
import NIOHTTP1

/// One connection's HTTP/1.1 requests, handed whole to the API server.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: APIServer
    private let faults: FaultInjector
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(api: APIServer, faults: FaultInjector) {
        self.api = api
        self.faults = faults
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = context.channel.allocator.buffer(capacity: 0)
            tooLarge = false
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > api.options.maxRequestBytes {
                tooLarge = true
                body = nil
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            handle(context: context, head: head, body: bytes)
        }
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let target = head.uri
        let (path, rawQuery) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        let request = APIRequest(method: head.method.rawValue, path: path.removingPercentEncoding ?? path,
                                 query: APIRequest.parseQuery(rawQuery), headers: head.headers.map { ($0.name, $0.value) }, body: body)
        let keepAlive = head.isKeepAlive
        if tooLarge {
            let error = APIError(code: 413, reason: "RequestEntityTooLarge",
                                 message: "Request entity too large: limit is \(api.options.maxRequestBytes)")
            write(context: context, response: api.render(error), request: request, version: head.version, keepAlive: false)
            return
        }
        if request.path == FaultAdmin.path {
            let response: APIResponse
            switch api.lock.withLock({ api.authenticate(request) }) {
            case .failure(let error): response = api.render(error)
            case .success(let user): response = FaultAdmin.handle(request, user: user, faults: faults)
            }
            write(context: context, response: response, request: request, version: head.version, keepAlive: keepAlive)
            return
        }
        if let fault = faults.fault(for: request) {
            switch fault {
            case .reset:
                context.close(promise: nil)
                return
            case .respond(let response):
                write(context: context, response: response, request: request, version: head.version, keepAlive: keepAlive)
                return
            case .delay(let seconds):
                let loop = context.eventLoop
                let handler = NIOLoopBound(self, eventLoop: loop)
                let boundContext = NIOLoopBound(context, eventLoop: loop)
                loop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
                    guard boundContext.value.channel.isActive else { return }
                    handler.value.dispatch(context: boundContext.value, head: head, request: request, keepAlive: keepAlive)
                }
                return
            }
        }
        dispatch(context: context, head: head, request: request, keepAlive: keepAlive)
    }

    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead, request: APIRequest, keepAlive: Bool) {
        let channel = context.channel
        let version = head.version
        let accept = request.header("Accept") ?? ""
        // Writes that admission webhooks may see leave the event loop: calling a webhook takes a round trip.
        if ["POST", "PUT", "PATCH", "DELETE"].contains(request.method), api.lock.withLock({ api.hasWebhooks }) {
            let loop = context.eventLoop
            let handler = NIOLoopBound(self, eventLoop: loop)
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            let api = self.api
            Task {
                let response = await api.handleAdmitted(request, caller: api.webhookCaller) { fatalError("writes do not watch") }
                loop.execute {
                    guard boundContext.value.channel.isActive else { return }
                    handler.value.write(context: boundContext.value, response: response, request: request, version: version, keepAlive: keepAlive)
                }
            }
            return
        }
        let response = api.handle(request) { [faults] in
            ChannelWatchSink(channel: channel, version: version, closeAfter: faults.watchEventLimit(for: request), accept: accept)
        }
        if case .watching = response { return }
        write(context: context, response: response, request: request, version: version, keepAlive: keepAlive)
    }

    func write(context: ChannelHandlerContext, response: APIResponse, request: APIRequest, version: HTTPVersion, keepAlive: Bool) {
        let status: Int
        var headers = HTTPHeaders()
        var bytes: [UInt8]
        switch response {
        case .watching: return
        case let .text(code, text, extra):
            status = code
            bytes = Array(text.utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            for (k, v) in extra where k.lowercased() != "content-type" { headers.add(name: k, value: v) }
        case let .object(code, body, extra, encoded):
            status = code
            let accept = request.header("Accept") ?? ""
            if accept.contains("application/yaml"), let yaml = try? YAML.emit(body) {
                bytes = Array(yaml.utf8)
                headers.add(name: "Content-Type", value: "application/yaml")
            } else if accept.hasPrefix("text/html") {
                bytes = APIError(code: 406, reason: "NotAcceptable", message: "406: Not Acceptable").status.serialized()
                headers.add(name: "Content-Type", value: "application/json")
            } else {
                let pretty = request.header("User-Agent")?.hasPrefix("curl") == true
                bytes = pretty ? Array((body.prettyString() + "\n").utf8) : encoded ?? body.serialized()
                headers.add(name: "Content-Type", value: "application/json")
            }
            for (k, v) in extra { headers.add(name: k, value: v) }
        }
        headers.add(name: "Audit-Id", value: RandomUUID.make())
        headers.add(name: "Cache-Control", value: "no-cache, private")
        headers.add(name: "Content-Length", value: String(bytes.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
