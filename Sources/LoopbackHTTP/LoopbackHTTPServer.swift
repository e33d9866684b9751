import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for the client's socket tests and the
/// watch benchmark: real sockets, keep-alive, chunked streaming responses, and
/// a log of every request received. One thread per connection; not for production.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// The raw query string (after `?`), still percent-encoded.
        public var query: String
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.last { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// Decoded query parameters in order.
        public var queryItems: [(String, String)] {
            query.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
        }
    }

    public enum Response: Sendable {
        case full(status: Int, headers: [(String, String)], body: [UInt8])
        /// A chunked response: the closure writes chunks until it returns (or the client goes away).
        case stream(status: Int, headers: [(String, String)], body: @Sendable (ChunkWriter) -> Void)

        public static func json(_ status: Int, _ text: String) -> Response {
            .full(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let log = Mutex<[Request]>([])
    private let stopped = Atomic<Bool>(false)

    public init(handler: @escaping Handler) throws {
        self.handler = handler
        (listener, port) = try Self.listen()
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// A listening socket on 127.0.0.1 with a port the kernel picks.
    private static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [Request] { log.withLock { $0 } }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        let connection = Connection(fd: fd)
        defer { close(fd) }
        while let request = connection.readRequest() {
            log.withLock { $0.append(request) }
            let keepAlive = request.header("Connection")?.lowercased() != "close"
            switch handler(request) {
            case let .full(status, headers, body):
                var head = "HTTP/1.1 \(status) \(Self.phrase(status))\r\nContent-Length: \(body.count)\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
                guard connection.write(Array(head.utf8) + body), keepAlive else { return }
            case let .stream(status, headers, body):
                var head = "HTTP/1.1 \(status) \(Self.phrase(status))\r\nTransfer-Encoding: chunked\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                guard connection.write(Array((head + "\r\n").utf8)) else { return }
                let writer = ChunkWriter(connection: connection)
                body(writer)
                guard writer.finish(), keepAlive else { return }
            }
        }
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Writes chunks of a streaming response; `write` returns false once the client is gone.
public final class ChunkWriter: Sendable {
    let connection: Connection

    init(connection: Connection) {
        self.connection = connection
    }

    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return connection.write(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
    }

    func finish() -> Bool { connection.write(Array("0\r\n\r\n".utf8)) }
}
