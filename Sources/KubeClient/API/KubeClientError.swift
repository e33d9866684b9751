import KubeJSON

/// Every way a request to an API server can fail, each saying what and where.
/// Tokens, keys and kubeconfig secrets never appear in these messages.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error status (decoded from its Status body when it sent one).
    case api(APIStatus)
    /// The request never got an HTTP answer: connection, TLS, timeout.
    case transport(TransportError)
    /// The configuration cannot be used (kubeconfig, token file, exec plugin).
    case configuration(KubeConfigError)
    /// A response body that is not what the API promises.
    case invalidResponse(url: String, reason: String)
    /// The watch's resourceVersion is older than the server's history: relist, then watch again.
    case resourceVersionTooOld(message: String)
    /// No resource serves this apiVersion and kind (after refreshing discovery).
    case unknownKind(apiVersion: String, kind: String)
    /// The request was cancelled by the caller.
    case cancelled

    public var description: String {
        switch self {
        case .api(let status): return status.description
        case .transport(let error): return error.description
        case .configuration(let error): return "configuration: \(error)"
        case .invalidResponse(let url, let reason): return "invalid response from \(url): \(reason)"
        case .resourceVersionTooOld(let message): return "watch expired (410 Gone): \(message); relist and watch again"
        case .unknownKind(let apiVersion, let kind):
            return "the server has no resource for kind \(kind) in \(apiVersion); is its CRD installed?"
        case .cancelled: return "request cancelled"
        }
    }

    /// The HTTP status, when the server answered.
    public var statusCode: Int? {
        if case .api(let s) = self { return s.code }
        if case .resourceVersionTooOld = self { return 410 }
        return nil
    }

    public var isNotFound: Bool { statusCode == 404 }
    public var isConflict: Bool { statusCode == 409 }
    public var isAlreadyExists: Bool {
        if case .api(let s) = self { return s.reason == "AlreadyExists" }
        return false
    }
}

/// The API server's `Status` object for a failed request.
public struct APIStatus: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    /// Machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, Forbidden...
    public var reason: String
    public var message: String
    public var details: JSON?
    public var method: String
    public var url: String
    /// Seconds the server asked us to wait (Retry-After header or details.retryAfterSeconds).
    public var retryAfterSeconds: Int?

    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String
    }

    public var causes: [Cause] {
        (details?["causes"]?.arrayValue ?? []).map {
            Cause(reason: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
                  field: $0["field"]?.stringValue ?? "")
        }
    }

    public var description: String { "\(method) \(url): \(code) \(reason): \(message)" }
}

/// A request that got no HTTP answer, from libcurl's error code.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case hostNotFound, connectionRefused, timedOut, connectionLost
        /// The server's certificate is not trusted by the configured CA.
        case serverCertificateUntrusted
        /// Our client certificate or key could not be used, or the server refused it.
        case clientCertificateRejected
        case tlsHandshakeFailed
        case invalidURL
        case other
    }

    public var kind: Kind
    /// libcurl's CURLcode.
    public var code: Int
    public var message: String
    public var url: String

    public var description: String { "\(url): \(message) (curl error \(code))" }

    /// Errors after which no bytes of the request could have been acted on by the server.
    var isSafeToRetry: Bool {
        switch kind {
        case .hostNotFound, .connectionRefused: return true
        default: return false
        }
    }
}
