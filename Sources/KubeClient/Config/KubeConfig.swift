import Foundation
import KubeJSON
import KubeYAML

/// A kubeconfig as kubectl reads it: one or more files merged, then one context chosen.
///
/// Merging follows kubectl: across the files of `KUBECONFIG` (in order), the
/// first file to define a cluster, user or context name wins, and so does the
/// first `current-context`. Relative paths resolve against the file that
/// wrote them.
public struct KubeConfig: Sendable {
    struct Entry: Sendable {
        var value: JSON
        var directory: String
        var file: String
    }

    var clusters: [String: Entry] = [:]
    var users: [String: Entry] = [:]
    var contexts: [String: Entry] = [:]
    public private(set) var currentContext: String?
    /// Everything must be inline: no exec plugin, no token or certificate files.
    var selfContained = false

    /// The files kubectl would read: `$KUBECONFIG` (colon-separated) or `~/.kube/config`.
    public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return list.split(separator: ":").map(String.init)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [home + "/.kube/config"]
    }

    /// Reads and merges the files; missing files among several are skipped, as kubectl does.
    public static func load(paths: [String]) throws(KubeConfigError) -> KubeConfig {
        var config = KubeConfig()
        var readAny = false
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                if paths.count == 1 { throw KubeConfigError("kubeconfig file does not exist", file: path) }
                continue
            }
            try config.merge(file: path)
            readAny = true
        }
        if !readAny { throw KubeConfigError("none of the kubeconfig files exist: \(paths.joined(separator: ":"))") }
        return config
    }

    public static func parse(_ text: String, file: String = "<memory>", directory: String = ".") throws(KubeConfigError) -> KubeConfig {
        var config = KubeConfig()
        try config.merge(text: Array(text.utf8), file: file, directory: directory)
        return config
    }

    /// A kubeconfig someone else wrote (a tenant's, from a Secret), which must not make
    /// the reader run a command (`exec`) or read its own files (`tokenFile`,
    /// `certificate-authority`, `client-certificate`, `client-key`): either would hand the
    /// reader's machine, or its own credentials (a pod's ServiceAccount token file), to the
    /// author. Only inline tokens, certificates and keys are accepted; `restConfig` says
    /// which field to replace.
    public static func parseSelfContained(_ text: String, file: String) throws(KubeConfigError) -> KubeConfig {
        var config = try parse(text, file: file)
        config.selfContained = true
        return config
    }

    mutating func merge(file path: String) throws(KubeConfigError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError("cannot read kubeconfig", file: path)
        }
        let directory = (path as NSString).deletingLastPathComponent
        try merge(text: Array(data), file: path, directory: directory.isEmpty ? "." : directory)
    }

    mutating func merge(text: [UInt8], file: String, directory: String) throws(KubeConfigError) {
        let document: JSON
        do { document = try YAML.parse(text) } catch { throw KubeConfigError("invalid YAML: \(error)", file: file) }
        if document.isNull { return }
        guard case .object = document else { throw KubeConfigError("expected a mapping at the top level", file: file) }
        func named(_ list: String, _ inner: String, into table: inout [String: Entry]) throws(KubeConfigError) {
            guard let items = document[list], !items.isNull else { return }
            guard let array = items.arrayValue else { throw KubeConfigError("'\(list)' must be a list", file: file) }
            for (i, item) in array.enumerated() {
                guard let name = item["name"]?.stringValue else {
                    throw KubeConfigError("\(list)[\(i)] has no name", file: file)
                }
                if table[name] == nil {
                    table[name] = Entry(value: item[inner] ?? [:], directory: directory, file: file)
                }
            }
        }
        try named("clusters", "cluster", into: &clusters)
        try named("users", "user", into: &users)
        try named("contexts", "context", into: &contexts)
        if currentContext == nil, let current = document["current-context"]?.stringValue, !current.isEmpty {
            currentContext = current
        }
    }

    public var contextNames: [String] { contexts.keys.sorted() }

    /// The REST configuration of `context` (default: the current context).
    public func restConfig(context name: String? = nil) throws(KubeConfigError) -> RESTConfig {
        guard let contextName = name ?? currentContext else {
            throw KubeConfigError("no context selected: the kubeconfig has no current-context; pass a context name")
        }
        guard let context = contexts[contextName] else {
            throw KubeConfigError("context \"\(contextName)\" not found; known contexts: \(contextNames.joined(separator: ", "))")
        }
        guard let clusterName = context.value["cluster"]?.stringValue, let cluster = clusters[clusterName] else {
            throw KubeConfigError("context \"\(contextName)\" refers to a cluster that is not defined", file: context.file)
        }
        guard let server = cluster.value["server"]?.stringValue, !server.isEmpty else {
            throw KubeConfigError("cluster \"\(clusterName)\" has no server", file: cluster.file)
        }
        if selfContained { try checkSelfContainedServer(server, cluster: cluster, name: clusterName) }
        var config = RESTConfig(server: server)
        if let ns = context.value["namespace"]?.stringValue, !ns.isEmpty { config.namespace = ns }
        try applyCluster(cluster, name: clusterName, to: &config)
        if let userName = context.value["user"]?.stringValue, !userName.isEmpty {
            guard let user = users[userName] else {
                throw KubeConfigError("context \"\(contextName)\" refers to user \"\(userName)\", which is not defined", file: context.file)
            }
            try applyUser(user, name: userName, to: &config)
        }
        return config
    }

    /// A self-contained kubeconfig names an API server, not any URL: https, no query or
    /// fragment (where a path could be smuggled), and a plain host name for TLS.
    private func checkSelfContainedServer(_ server: String, cluster: Entry, name: String) throws(KubeConfigError) {
        guard let url = URLComponents(string: server), url.scheme == "https", url.host?.isEmpty == false,
              url.query == nil, url.fragment == nil, url.user == nil else {
            throw KubeConfigError("cluster \"\(name)\" server \"\(server)\" must be an https URL without credentials, query or fragment", file: cluster.file)
        }
        if let serverName = cluster.value["tls-server-name"]?.stringValue, !serverName.isEmpty,
           !serverName.utf8.allSatisfy({ $0 == 45 || $0 == 46 || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) }) {
            throw KubeConfigError("cluster \"\(name)\" tls-server-name \"\(serverName)\" must be a host name", file: cluster.file)
        }
    }

    /// In a self-contained kubeconfig, refuses `key` when it is set.
    private func refuseOutside(_ object: JSON, _ key: String, _ what: String, instead: String, entry: Entry) throws(KubeConfigError) {
        guard selfContained, let value = object[key], !value.isNull, value.stringValue != "" else { return }
        throw KubeConfigError("\(what) uses \(key), which a kubeconfig from a Secret may not (it would run a command or read a file of the controller's); use \(instead)", file: entry.file)
    }

    private func applyCluster(_ entry: Entry, name: String, to config: inout RESTConfig) throws(KubeConfigError) {
        let c = entry.value
        try refuseOutside(c, "certificate-authority", "cluster \"\(name)\"", instead: "certificate-authority-data", entry: entry)
        config.insecureSkipTLSVerify = c["insecure-skip-tls-verify"]?.boolValue ?? false
        config.tlsServerName = c["tls-server-name"]?.stringValue
        config.certificateAuthorityData = try material(c, data: "certificate-authority-data", file: "certificate-authority",
                                                       entry: entry, what: "cluster \"\(name)\" CA")
    }

    private func applyUser(_ entry: Entry, name: String, to config: inout RESTConfig) throws(KubeConfigError) {
        let u = entry.value
        let who = "user \"\(name)\""
        try refuseOutside(u, "client-certificate", who, instead: "client-certificate-data", entry: entry)
        try refuseOutside(u, "client-key", who, instead: "client-key-data", entry: entry)
        try refuseOutside(u, "tokenFile", who, instead: "token", entry: entry)
        try refuseOutside(u, "exec", who, instead: "a token or a client certificate inline", entry: entry)
        config.clientCertificateData = try material(u, data: "client-certificate-data", file: "client-certificate",
                                                    entry: entry, what: "user \"\(name)\" client certificate")
        config.clientKeyData = try material(u, data: "client-key-data", file: "client-key",
                                            entry: entry, what: "user \"\(name)\" client key")
        if (config.clientCertificateData == nil) != (config.clientKeyData == nil) {
            throw KubeConfigError("user \"\(name)\" has a client certificate without a key, or a key without a certificate", file: entry.file)
        }
        if let token = u["token"]?.stringValue, !token.isEmpty {
            config.credentials = .token(token)
        } else if let tokenFile = u["tokenFile"]?.stringValue, !tokenFile.isEmpty {
            config.credentials = .tokenFile(resolve(tokenFile, in: entry.directory))
        } else if let exec = u["exec"], !exec.isNull {
            config.credentials = .exec(try ExecConfig(exec, directory: entry.directory, file: entry.file))
        } else if u["auth-provider"] != nil {
            throw KubeConfigError("user \"\(name)\" uses a legacy auth-provider, which is not supported; use an exec plugin", file: entry.file)
        }
        if let user = u["as"]?.stringValue, !user.isEmpty {
            var extra: [String: [String]] = [:]
            for (key, values) in u["as-user-extra"]?.objectValue ?? [:] { extra[key] = (values.arrayValue ?? []).compactMap(\.stringValue) }
            config.impersonate = Impersonation(user: user, uid: u["as-uid"]?.stringValue,
                                               groups: (u["as-groups"]?.arrayValue ?? []).compactMap(\.stringValue), extra: extra)
        }
    }

    /// Inline base64 data wins over a file path, as in kubectl.
    private func material(_ object: JSON, data dataKey: String, file fileKey: String, entry: Entry, what: String) throws(KubeConfigError) -> [UInt8]? {
        if let encoded = object[dataKey]?.stringValue, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError("\(what): \(dataKey) is not valid base64", file: entry.file)
            }
            return Array(decoded)
        }
        if let path = object[fileKey]?.stringValue, !path.isEmpty {
            let full = resolve(path, in: entry.directory)
            guard let contents = FileManager.default.contents(atPath: full) else {
                throw KubeConfigError("\(what): cannot read \(full)", file: entry.file)
            }
            return Array(contents)
        }
        return nil
    }

    private func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }
}
