import Foundation
import KubeJSON
import KubeYAML

/// What a handled request produced.
enum APIResponse {
    /// `encoded` is the body's JSON text when the store already has it (a write's stored object).
    case object(status: Int, body: JSON, headers: [(String, String)] = [], encoded: [UInt8]? = nil)
    case text(status: Int, body: String, headers: [(String, String)] = [])
    /// The request became a watch: the sink owns the response now.
    case watching
}

/// The API server proper: authentication, authorisation, routing and the
/// semantics of every verb, over one `Store`. Thread-safe: one lock
/// serialises requests, as one etcd leader serialises writes.
final class APIServer: @unchecked Sendable {
    let options: KubeSimOptions
    let store: Store
    let authorizer: Authorizer
    let lock = NSLock()
    let clock: @Sendable () -> Date
    let simulation: Simulation
    /// Every accepted write, in order (see `KubeSim.writeLog`).
    var writeLog: [WriteRecord] = []
    /// Every request, with `options.recordRequests` (see `KubeSim.requestLog`).
    var requestLog: [RequestRecord] = []
    /// The parsed RBAC objects and the revisions of the four kinds they were parsed at.
    var rbacCache: (stamp: [Int64], policy: RBACPolicy)?
    /// ServiceAccount tokens handed out by TokenRequest, until they expire.
    var issuedTokens: [String: IssuedToken] = [:]
    /// Calls admission webhooks (keeping a connection per webhook).
    let webhookCaller = WebhookCaller()

    init(options: KubeSimOptions) {
        self.options = options
        simulation = Simulation(options: options.simulation)
        store = Store(historyCapacity: options.historyWindow)
        authorizer = Authorizer(rules: options.rules)
        clock = options.clock
        for type in ResourceType.builtIns { store.register(type) }
        store.addView(EventConversion.eventsType, EventConversion.view)
        for ns in ["default", "kube-system", "kube-public"] { bootstrapNamespace(ns) }
        BootstrapPolicy.install(into: self)
        simulation.server = self
    }

    private func bootstrapNamespace(_ name: String) {
        let ns: JSON = ["apiVersion": "v1", "kind": "Namespace",
                        "metadata": ["name": .string(name), "uid": .string(RandomUUID.make()),
                                     "creationTimestamp": .string(timestamp()), "labels": ["kubernetes.io/metadata.name": .string(name)]],
                        "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
        store.put(TypeKey(group: "", plural: "namespaces"), namespace: nil, name: name, ns)
        ensureDefaultServiceAccount(namespace: name)
    }

    /// RFC 3339, UTC, second precision, as metadata timestamps are.
    func timestamp() -> String {
        Timestamps.format(clock())
    }

    func authenticate(_ request: APIRequest) -> Result<SimUser, APIError> {
        guard let header = request.header("Authorization") else { return .success(.anonymous) }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else { return .failure(.unauthorized) }
        let token = String(header.dropFirst(prefix.count))
        guard let user = options.tokens[token] ?? serviceAccountUser(token: token) else { return .failure(.unauthorized) }
        return .success(user)
    }

    func handle(_ request: APIRequest, sink: @escaping () -> WatchSink) -> APIResponse {
        lock.lock()
        defer { lock.unlock() }
        let authenticated = authenticate(request)
        let response: APIResponse
        switch authenticated {
        case .failure(let e): response = render(e)
        case .success(let user):
            do { response = try route(request, user: user, sink: sink) } catch let e as APIError {
                response = render(e)
            } catch {
                response = render(.internalError("\(error)"))
            }
        }
        if options.recordRequests { record(request, requester: (try? authenticated.get())?.name ?? "", response: response) }
        return response
    }

    func record(_ request: APIRequest, requester: String, response: APIResponse) {
        let info = RequestInfo.parse(method: request.method, path: request.path, watchParameter: request.isWatch)
        let code: Int
        switch response {
        case .object(let status, _, _, _), .text(let status, _, _): code = status
        case .watching: code = 200
        }
        requestLog.append(RequestRecord(
            time: clock(), verb: info?.verb ?? request.method.lowercased(), group: info?.group ?? "", resource: info?.resource ?? "",
            subresource: info?.subresource, namespace: info?.namespace, name: info?.name, path: info == nil ? request.path : "",
            requester: requester, impersonating: request.header("Impersonate-User"), code: code))
    }

    func render(_ error: APIError) -> APIResponse {
        if error.plainText {
            return .text(status: error.code, body: error.message + "\n",
                         headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")])
        }
        return .object(status: error.code, body: error.status, headers: error.headers)
    }

    func route(_ request: APIRequest, user requester: SimUser, admission: AdmissionStage? = nil,
               sink: @escaping () -> WatchSink) throws -> APIResponse {
        // Authentication, then impersonation, then authorisation as the impersonated user (KUBE-API.md §8).
        let user = try impersonate(request, requester: requester)
        guard let info = RequestInfo.parse(method: request.method, path: request.path, watchParameter: request.isWatch) else {
            // The path as sent: /version and /version/ are different URLs to RBAC.
            try requireAuthorized(AuthorizationAttributes(user: user, verb: request.method.lowercased(), isResourceRequest: false, path: request.path))
            return try nonResource(request)
        }
        try requireAuthorized(AuthorizationAttributes(user: user, info))
        guard let type = store.types[TypeKey(group: info.group, plural: info.resource)], type.version == info.version else {
            throw APIError.pageNotFound
        }
        if info.namespaceGiven && !type.namespaced && info.resource != "namespaces" {
            throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: [:])
        }
        let context = RequestContext(request: request, info: info, type: type, user: user, admission: admission)
        try checkSubresource(context)
        let before = store.revision
        let response = try dispatch(context, sink: sink)
        logWrite(context, response: response, revisionBefore: before)
        return response
    }

    private func logWrite(_ c: RequestContext, response: APIResponse, revisionBefore: Int64) {
        guard ["create", "update", "patch", "delete", "deletecollection"].contains(c.info.verb), !c.dryRun,
              case .object(let status, let body, _, _) = response, status < 300 else { return }
        let contentType = c.request.header("Content-Type") ?? ""
        let verb = c.info.verb == "patch" && contentType.hasPrefix("application/apply-patch") ? "apply" : c.info.verb
        writeLog.append(WriteRecord(
            revision: store.revision, time: clock(), verb: verb, group: c.type.group, resource: c.type.plural,
            subresource: c.info.subresource, namespace: c.namespace,
            name: c.info.name ?? body[path: "metadata", "name"]?.stringValue ?? "", user: c.user.name,
            fieldManager: c.fieldManager, changed: store.revision != revisionBefore))
    }

    private func dispatch(_ context: RequestContext, sink: @escaping () -> WatchSink) throws -> APIResponse {
        let info = context.info
        let type = context.type
        if type.createOnly {
            guard info.verb == "create", info.name == nil else { throw APIError.methodNotAllowed() }
            return try review(context)
        }
        if type.key == Self.serviceAccounts, info.subresource == "token" {
            guard info.verb == "create" else { throw APIError.methodNotAllowed() }
            return try createToken(context)
        }
        switch info.verb {
        case "get": return try get(context)
        case "list": return try list(context)
        case "watch": return try watch(context, sink: sink())
        case "create":
            guard info.name == nil else { throw APIError.methodNotAllowed() }
            return try create(context)
        case "update":
            return try update(context)
        case "patch": return try patch(context)
        case "delete":
            guard info.subresource == nil else {
                throw APIError.methodNotAllowed("delete is not supported on resources of kind \"\(type.qualifiedResource)\"")
            }
            return try delete(context)
        case "deletecollection": return try deleteCollection(context)
        default: throw APIError.methodNotAllowed()
        }
    }

    private func checkSubresource(_ c: RequestContext) throws {
        guard let sub = c.info.subresource else { return }
        let allowed = (sub == "status" && c.type.hasStatus) || (sub == "finalize" && c.type.plural == "namespaces")
            || (sub == "token" && c.type.key == Self.serviceAccounts)
        if !allowed {
            // The real server answers a missing status subresource with a misleading not-found (KUBE-API.md §4).
            throw APIError.notFound(c.type, c.info.name ?? "")
        }
    }
}

/// Everything a verb handler needs about the request.
struct RequestContext {
    var request: APIRequest
    var info: RequestInfo
    var type: ResourceType
    var user: SimUser
    /// Set while admission webhooks take part in this request (see `APIServer.handleAdmitted`).
    var admission: AdmissionStage?

    var namespace: String? { type.namespaced ? info.namespace : nil }

    /// The field manager: `?fieldManager=`, else the User-Agent up to its first "/" (KUBE-API.md §2.5).
    var fieldManager: String {
        if let m = request.parameter("fieldManager"), !m.isEmpty { return m }
        let agent = request.header("User-Agent") ?? "unknown"
        return String(agent.split(separator: "/").first ?? "unknown")
    }

    var dryRun: Bool { request.parameter("dryRun") == "All" }

    /// The request body as JSON (JSON or YAML content).
    func body(_ kind: String) throws -> JSON {
        if let type = request.header("Content-Type"), type.contains("protobuf") {
            // kubectl create sends built-in kinds as protobuf; decode the kinds KubeSim knows, refuse the rest clearly.
            do { return try ProtobufBody.decode(request.body) } catch {
                throw APIError(code: 415, reason: "UnsupportedMediaType",
                               message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf: \(error.reason))")
            }
        }
        do {
            if request.body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") {
                return try JSON.parse(request.body)
            }
            return try YAML.parse(request.body)
        } catch {
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(kind)): couldn't get version/kind; json parse error: \(error)")
        }
    }
}
