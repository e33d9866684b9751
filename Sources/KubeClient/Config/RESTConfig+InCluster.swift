import Foundation

extension RESTConfig {
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration of a pod's service account: the API server from
    /// `KUBERNETES_SERVICE_HOST`/`_PORT`, the mounted CA and namespace, and the
    /// token file, re-read whenever the kubelet rotates it.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = serviceAccountDirectory
    ) throws(KubeConfigError) -> RESTConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
              !host.isEmpty, !port.isEmpty
        else {
            throw KubeConfigError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError("service-account token is missing or unreadable", file: tokenPath)
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        var config = RESTConfig(server: "https://\(hostPart):\(port)")
        config.credentials = .tokenFile(tokenPath)
        if let ca = FileManager.default.contents(atPath: directory + "/ca.crt") {
            config.certificateAuthorityData = Array(ca)
        }
        if let ns = FileManager.default.contents(atPath: directory + "/namespace") {
            let trimmed = String(decoding: ns, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { config.namespace = trimmed }
        }
        return config
    }
}
