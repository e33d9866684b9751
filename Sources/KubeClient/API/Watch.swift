import KubeJSON

/// One event of a watch stream.
public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK"
    }

    public var type: EventType
    /// The object (for a bookmark, only its kind and metadata.resourceVersion).
    public var object: JSON

    public var resourceVersion: String? { object[path: "metadata", "resourceVersion"]?.stringValue }
}

/// A live watch: events as they arrive, as an `AsyncSequence`.
///
/// Ends normally when the server closes the stream (timeoutSeconds or its own
/// limit): watch again from the last resourceVersion seen. Throws
/// `KubeClientError.resourceVersionTooOld` when that version has left the
/// server's history (a 410, as an HTTP status or an ERROR event): relist.
/// Breaking out of the loop or cancelling the task frees the transfer at once.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    let lines: AsyncThrowingStream<[UInt8], any Error>
    let flow: LineFlow
    let url: String
    /// Keeps the client, and so its transfer loop, alive while the stream is in use.
    let client: KubeClient

    public struct AsyncIterator: AsyncIteratorProtocol {
        var lines: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let flow: LineFlow
        let url: String
        let client: KubeClient

        public mutating func next() async throws -> WatchEvent? {
            guard let line = try await lines.next() else { return nil }
            flow.consumed(line.count)
            return try WatchStream.decode(line, url: url)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(lines: lines.makeAsyncIterator(), flow: flow, url: url, client: client)
    }

    static func decode(_ line: [UInt8], url: String) throws(KubeClientError) -> WatchEvent {
        let json: JSON
        do { json = try JSON.parse(line) } catch {
            throw .invalidResponse(url: url, reason: "watch event is not JSON (\(error))")
        }
        guard let typeName = json["type"]?.stringValue, let object = json["object"] else {
            throw .invalidResponse(url: url, reason: "watch event without type or object")
        }
        if typeName == "ERROR" {
            let code = object["code"]?.intValue ?? 500
            let message = object["message"]?.stringValue ?? ""
            if code == 410 { throw .resourceVersionTooOld(message: message) }
            throw .api(APIStatus(code: Int(code), reason: object["reason"]?.stringValue ?? "", message: message,
                                 details: object["details"], method: "GET", url: url, retryAfterSeconds: nil))
        }
        guard let type = WatchEvent.EventType(rawValue: typeName) else {
            throw .invalidResponse(url: url, reason: "unknown watch event type \(typeName)")
        }
        return WatchEvent(type: type, object: object)
    }
}

extension KubeClient {
    /// Opens a watch. Connection problems and error statuses surface from the
    /// stream's iteration, as `KubeClientError`.
    public func watch(_ resource: APIResource, namespace: String? = nil, options: WatchOptions = WatchOptions()) -> WatchStream {
        let path = resource.path(namespace: namespace.flatMap { resource.namespaced ? $0 : nil })
        let request = HTTPRequest(method: "GET", url: url(path, query: options.query), headers: [("Accept", "application/json")] + identityHeaders)
        let (lines, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let slot = TransferSlot()
        let flow = LineFlow()
        flow.onResume { [loop] in if let transfer = slot.transfer { loop.resume(transfer) } }
        // Credentials may need an exec plugin run, so the transfer starts from a task the stream owns.
        let start = Task { [self] in
            do {
                let transfer = CurlTransfer(request: request, tls: tls, credentials: try await credentials.current(),
                                            userAgent: config.userAgent, delivery: .lines(continuation, flow))
                if slot.install(transfer) { loop.submit(transfer) } else { transfer.cancel() }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { [loop] _ in
            start.cancel()
            if let transfer = slot.cancel() { loop.cancel(transfer) }
        }
        return WatchStream(lines: lines, flow: flow, url: request.url, client: self)
    }
}
