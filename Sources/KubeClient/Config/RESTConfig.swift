import Foundation

/// Everything needed to talk to one API server: where, whom to trust, who we are.
///
/// Built from a kubeconfig (`KubeConfig.load`) or from the pod's service
/// account (`RESTConfig.inCluster()`). Secrets (tokens, keys) are held here and
/// never appear in `description`, logs or errors.
public struct RESTConfig: Sendable, CustomStringConvertible {
    /// `https://host:port` (a path prefix such as `/k8s/clusters/c-1` is kept).
    public var server: String
    /// PEM bundle to trust instead of the system store.
    public var certificateAuthorityData: [UInt8]?
    public var insecureSkipTLSVerify = false
    /// Server name for SNI and verification when it differs from the URL's host.
    public var tlsServerName: String?
    public var clientCertificateData: [UInt8]?
    public var clientKeyData: [UInt8]?
    public var credentials: CredentialSource = .none
    /// Act as someone else on every request (kubeconfig `as`, `as-groups`; kubectl `--as`).
    public var impersonate: Impersonation?
    /// The namespace of the selected context (or the pod's), "default" otherwise.
    public var namespace = "default"
    public var userAgent = "causeway/\(CausewayVersion.current)"
    /// Whole-request deadline for non-watch requests.
    public var timeout: Duration = .seconds(30)
    /// Client-side rate limit; `nil` (the default) means none.
    public var rateLimit: RateLimit?
    public var retry = RetryPolicy()

    public init(server: String) {
        self.server = server
    }

    public struct RateLimit: Sendable, Equatable {
        public var qps: Double
        public var burst: Int
        public init(qps: Double, burst: Int) {
            self.qps = qps
            self.burst = burst
        }
    }

    public var description: String {
        var auth: [String] = []
        if clientCertificateData != nil { auth.append("client certificate") }
        switch credentials {
        case .none: break
        case .token: auth.append("bearer token")
        case .tokenFile(let path): auth.append("token file \(path)")
        case .exec(let e): auth.append("exec plugin \(e.command)")
        }
        let acting = impersonate.map { ", as: \($0.user)" } ?? ""
        return "RESTConfig(server: \(server), namespace: \(namespace), auth: \(auth.isEmpty ? "none" : auth.joined(separator: ", "))\(acting))"
    }
}

/// Where the bearer token comes from.
public enum CredentialSource: Sendable {
    case none
    case token(String)
    /// Re-read whenever the file changes (service-account tokens rotate).
    case tokenFile(String)
    case exec(ExecConfig)
}

public enum CausewayVersion {
    public static let current = "0.1.0"
}
