import Foundation
import KubeJSON
import Synchronization

/// A client for one Kubernetes API server.
///
/// Every request and watch shares one libcurl multi loop (one thread, HTTP/2
/// streams on one connection where offered). Requests are retried with capped,
/// jittered exponential backoff where that is safe (see `RetryPolicy`); errors
/// come back as `KubeClientError` with the server's Status decoded.
public final class KubeClient: Sendable {
    public let config: RESTConfig
    let baseURL: String
    let transport: Transport
    var loop: CurlMultiLoop { transport.loop }
    let credentials: CredentialProvider
    let tls: TLSSettings
    let limiter: RateLimiter?
    let discovery: DiscoveryCache

    public init(config: RESTConfig) throws(KubeClientError) {
        var base = config.server
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw .configuration(KubeConfigError("server \"\(config.server)\" must start with https:// or http://"))
        }
        self.config = config
        baseURL = base
        credentials = CredentialProvider(config: config)
        tls = TLSSettings(certificateAuthority: config.certificateAuthorityData,
                          insecureSkipVerify: config.insecureSkipTLSVerify, serverName: config.tlsServerName)
        limiter = config.rateLimit.map { RateLimiter(qps: $0.qps, burst: $0.burst) }
        let components = URLComponents(string: base)
        transport = Transport(loop: CurlMultiLoop(name: "\(components?.port.map(String.init) ?? "api")-\(components?.host ?? "")"))
        discovery = DiscoveryCache()
    }

    private init(sharing base: KubeClient, config: RESTConfig) {
        self.config = config
        baseURL = base.baseURL
        transport = base.transport
        credentials = base.credentials
        tls = base.tls
        limiter = base.limiter
        discovery = base.discovery
    }

    /// The same server, credentials, connection, rate limit and discovery cache, acting
    /// as `who` (nil: as the authenticated identity itself). Cheap: no thread, no connection.
    public func impersonating(_ who: Impersonation?) -> KubeClient {
        var derived = config
        derived.impersonate = who
        return KubeClient(sharing: self, config: derived)
    }

    /// The headers every request carries besides its own.
    var identityHeaders: [(String, String)] { config.impersonate?.headers ?? [] }

    // MARK: - Verbs

    public func get(_ resource: APIResource, name: String, namespace: String? = nil, subresource: String? = nil) async throws(KubeClientError) -> JSON {
        try await object(send("GET", resource.path(namespace: ns(resource, namespace), name: name, subresource: subresource)))
    }

    public func list(_ resource: APIResource, namespace: String? = nil, options: ListOptions = ListOptions()) async throws(KubeClientError) -> ObjectList {
        let url = resource.path(namespace: namespace.flatMap { resource.namespaced ? $0 : nil })
        let response = try await send("GET", url, query: options.query)
        let json = try object(response, url: url)
        guard let items = json["items"]?.arrayValue ?? (json["items"]?.isNull == true ? [] : nil) else {
            throw .invalidResponse(url: baseURL + url, reason: "a list without items")
        }
        let continueToken = json[path: "metadata", "continue"]?.stringValue
        return ObjectList(items: items, resourceVersion: json[path: "metadata", "resourceVersion"]?.stringValue ?? "",
                          continueToken: continueToken?.isEmpty == false ? continueToken : nil)
    }

    /// Every page of a list, following `continue` tokens.
    public func listAll(_ resource: APIResource, namespace: String? = nil, options: ListOptions = ListOptions()) async throws(KubeClientError) -> ObjectList {
        var options = options
        var page = try await list(resource, namespace: namespace, options: options)
        var items = page.items
        while let token = page.continueToken {
            options.continueToken = token
            page = try await list(resource, namespace: namespace, options: options)
            items += page.items
        }
        return ObjectList(items: items, resourceVersion: page.resourceVersion, continueToken: nil)
    }

    public func create(_ resource: APIResource, _ object: JSON, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> JSON {
        let ns = ns(resource, namespace ?? object[path: "metadata", "namespace"]?.stringValue)
        return try await self.object(send("POST", resource.path(namespace: ns), query: options.query, body: object.serialized()))
    }

    /// Whom the API server authenticates this client as (after impersonation): a SelfSubjectReview,
    /// what `kubectl auth whoami` asks.
    public func whoAmI() async throws(KubeClientError) -> String {
        let review = try await create(.selfSubjectReviews, ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
        guard let name = review[path: "status", "userInfo", "username"]?.stringValue else {
            throw .invalidResponse(url: APIResource.selfSubjectReviews.path(namespace: nil), reason: "a SelfSubjectReview without status.userInfo.username")
        }
        return name
    }

    /// PUT: replaces the object; its metadata.resourceVersion makes the write conditional (409 when stale).
    public func update(_ resource: APIResource, _ object: JSON, namespace: String? = nil, subresource: String? = nil,
                       options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> JSON {
        let name = try objectName(object)
        let ns = ns(resource, namespace ?? object[path: "metadata", "namespace"]?.stringValue)
        return try await self.object(send("PUT", resource.path(namespace: ns, name: name, subresource: subresource),
                                          query: options.query, body: object.serialized()))
    }

    public func updateStatus(_ resource: APIResource, _ object: JSON, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> JSON {
        try await update(resource, object, namespace: namespace, subresource: "status", options: options)
    }

    public func patch(_ resource: APIResource, name: String, namespace: String? = nil, _ patch: Patch, subresource: String? = nil,
                      options: WriteOptions = WriteOptions()) async throws(KubeClientError) -> JSON {
        var query = options.query
        if case .apply(_, let force) = patch {
            guard options.fieldManager != nil else {
                throw .configuration(KubeConfigError("server-side apply needs a field manager (WriteOptions.fieldManager)"))
            }
            if force { query.append(("force", "true")) }
        }
        let path = resource.path(namespace: ns(resource, namespace), name: name, subresource: subresource)
        return try await object(send("PATCH", path, query: query, body: patch.body, contentType: patch.contentType))
    }

    /// Server-side apply with `fieldManager`; name and namespace come from the object.
    public func apply(_ resource: APIResource, _ object: JSON, fieldManager: String, force: Bool = false,
                      subresource: String? = nil, dryRun: Bool = false) async throws(KubeClientError) -> JSON {
        try await patch(resource, name: try objectName(object), namespace: object[path: "metadata", "namespace"]?.stringValue,
                        .apply(object, force: force), subresource: subresource,
                        options: WriteOptions(dryRun: dryRun, fieldManager: fieldManager))
    }

    /// Returns the object as it stands after the request (with deletionTimestamp
    /// while finalizers hold it) or the server's success Status.
    @discardableResult
    public func delete(_ resource: APIResource, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws(KubeClientError) -> JSON {
        try await object(send("DELETE", resource.path(namespace: ns(resource, namespace), name: name),
                              body: options.body?.serialized()))
    }

    // MARK: - Plumbing

    private func ns(_ resource: APIResource, _ namespace: String?) -> String? {
        resource.namespaced ? (namespace ?? config.namespace) : nil
    }

    private func objectName(_ object: JSON) throws(KubeClientError) -> String {
        guard let name = object[path: "metadata", "name"]?.stringValue, !name.isEmpty else {
            throw .configuration(KubeConfigError("the object has no metadata.name"))
        }
        return name
    }

    private func object(_ response: HTTPResponse, url: String = "") throws(KubeClientError) -> JSON {
        do { return try JSON.parse(response.body) } catch {
            throw .invalidResponse(url: baseURL + url, reason: "body is not JSON (\(error))")
        }
    }

    func url(_ path: String, query: [(String, String)]) -> String {
        query.isEmpty ? baseURL + path : baseURL + path + "?" + PercentEncoding.query(query)
    }

    /// Sends a request with retries; any status ≥ 400 becomes an error.
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     contentType: String = "application/json") async throws(KubeClientError) -> HTTPResponse {
        var headers = [("Accept", "application/json")] + identityHeaders
        if body != nil { headers.append(("Content-Type", contentType)) }
        let request = HTTPRequest(method: method, url: url(path, query: query), headers: headers, body: body, timeout: config.timeout)
        var attempt = 1
        var reauthenticated = false
        while true {
            do throws(KubeClientError) {
                let response = try await perform(request)
                guard response.status < 400 else {
                    throw APIErrorDecoder.error(for: response, method: method, url: request.url)
                }
                return response
            } catch let error {
                if error.statusCode == 401, !reauthenticated, refreshableCredentials {
                    credentials.invalidate()
                    reauthenticated = true
                    continue
                }
                guard config.retry.shouldRetry(error, method: method, attempt: attempt) else { throw error }
                var delay = config.retry.jitteredDelay(afterAttempt: attempt, random: Double.random(in: 0..<1))
                if case .api(let status) = error, let seconds = status.retryAfterSeconds {
                    delay = max(delay, min(.seconds(seconds), config.retry.maxRetryAfter))
                }
                do { try await Task.sleep(for: delay) } catch { throw .cancelled }
                attempt += 1
            }
        }
    }

    private var refreshableCredentials: Bool {
        switch config.credentials {
        case .exec, .tokenFile: return true
        default: return false
        }
    }

    /// One attempt: rate limit, credentials, transfer.
    func perform(_ request: HTTPRequest) async throws(KubeClientError) -> HTTPResponse {
        if let limiter {
            let wait = limiter.reserve()
            if wait > .zero { do { try await Task.sleep(for: wait) } catch { throw .cancelled } }
        }
        let current = try await credentials.current()
        let slot = TransferSlot()
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let t = CurlTransfer(request: request, tls: tls, credentials: current, userAgent: config.userAgent,
                                         delivery: .buffered(continuation))
                    if slot.install(t) { loop.submit(t) } else { t.cancel() }
                }
            } onCancel: {
                if let t = slot.cancel() { loop.cancel(t) }
            }
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw .cancelled
        }
    }
}

/// The transfer loop of one server, shared by a client and the clients derived
/// from it; the loop's thread ends with the last of them.
final class Transport: Sendable {
    let loop: CurlMultiLoop

    init(loop: CurlMultiLoop) {
        self.loop = loop
    }

    deinit {
        loop.shutdown()
    }
}

/// Hands a transfer from the task that starts it to that task's cancellation
/// handler, which may run before the transfer exists.
final class TransferSlot: Sendable {
    private let state = Mutex<(transfer: CurlTransfer?, cancelled: Bool)>((nil, false))

    /// False when cancellation came first: the caller must not start the transfer.
    func install(_ transfer: CurlTransfer) -> Bool {
        state.withLock { s in
            guard !s.cancelled else { return false }
            s.transfer = transfer
            return true
        }
    }

    /// The running transfer, if it has started and not been cancelled.
    var transfer: CurlTransfer? { state.withLock { $0.cancelled ? nil : $0.transfer } }

    func cancel() -> CurlTransfer? {
        state.withLock { s in
            s.cancelled = true
            return s.transfer
        }
    }
}
