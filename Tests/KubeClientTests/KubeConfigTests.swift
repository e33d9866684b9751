import Foundation
import Synchronization
import Testing
import KubeJSON
import LoopbackHTTP
@testable import KubeClient

/// Loading kubeconfigs: merging files the way kubectl does, and turning one
/// context into a `RESTConfig`. Every test writes its own files to a fresh directory.
struct KubeConfigTests {
    @Test func mergedFilesFirstDefinitionWins() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try dir.write("first.yaml", """
            apiVersion: v1
            kind: Config
            current-context: shared
            clusters:
            - name: shared
              cluster:
                server: https://first.example:6443
            contexts:
            - name: shared
              context:
                cluster: shared
                user: shared
                namespace: first-ns
            - name: cross
              context:
                cluster: only-second
                user: shared
            users:
            - name: shared
              user:
                token: first-token
            """)
        let second = try dir.write("second.yaml", """
            apiVersion: v1
            kind: Config
            current-context: second-only
            clusters:
            - name: shared
              cluster:
                server: https://second.example:6443
            - name: only-second
              cluster:
                server: https://only-second.example:6443
            contexts:
            - name: shared
              context:
                cluster: shared
                user: shared
                namespace: second-ns
            - name: second-only
              context:
                cluster: only-second
                user: second-user
            users:
            - name: shared
              user:
                token: second-token
            - name: second-user
              user:
                token: second-user-token
            """)

        let merged = try KubeConfig.load(paths: [first, second])
        #expect(merged.currentContext == "shared")
        #expect(merged.contextNames == ["cross", "second-only", "shared"])
        let current = try merged.restConfig()
        #expect(current.server == "https://first.example:6443")
        #expect(current.namespace == "first-ns")
        #expect(current.credentials.tokenValue == "first-token")

        // A context only the second file defines is usable...
        let secondOnly = try merged.restConfig(context: "second-only")
        #expect(secondOnly.server == "https://only-second.example:6443")
        #expect(secondOnly.namespace == "default")
        #expect(secondOnly.credentials.tokenValue == "second-user-token")
        // ...and so is a cluster only the second file defines, from a context of the first.
        #expect(try merged.restConfig(context: "cross").server == "https://only-second.example:6443")

        // The other way round, the second file's definitions win.
        let reversed = try KubeConfig.load(paths: [second, first])
        #expect(reversed.currentContext == "second-only")
        let shared = try reversed.restConfig(context: "shared")
        #expect(shared.server == "https://second.example:6443")
        #expect(shared.namespace == "second-ns")
        #expect(shared.credentials.tokenValue == "second-token")

        // An empty current-context does not count as the first one.
        let noCurrent = try dir.write("no-current.yaml", "apiVersion: v1\nkind: Config\ncurrent-context: \"\"\n")
        #expect(try KubeConfig.load(paths: [noCurrent, second, first]).currentContext == "second-only")
    }

    @Test func missingFilesAreSkippedUnlessNoneExists() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let present = try dir.write("config", """
            current-context: only
            clusters:
            - name: c
              cluster:
                server: https://c.example:6443
            contexts:
            - name: only
              context:
                cluster: c
            """)
        let missing = dir.path + "/missing.yaml"
        #expect(try KubeConfig.load(paths: [missing, present]).currentContext == "only")
        #expect(try KubeConfig.load(paths: [present, missing]).restConfig().server == "https://c.example:6443")

        let single = #expect(throws: KubeConfigError.self) { try KubeConfig.load(paths: [missing]) }
        #expect(single?.file == missing)
        #expect(single?.description == "\(missing): kubeconfig file does not exist")

        let other = dir.path + "/also-missing.yaml"
        let none = #expect(throws: KubeConfigError.self) { try KubeConfig.load(paths: [missing, other]) }
        #expect(none?.description.contains("\(missing):\(other)") == true)
    }

    @Test func clusterTLSSettings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("kube/certs/ca.pem", "file-ca\n")
        let path = try dir.write("kube/config", """
            current-context: inline
            clusters:
            - name: inline
              cluster:
                server: https://inline.example:6443
                certificate-authority-data: \(base64("inline-ca\n"))
                tls-server-name: api.inline.example
            - name: from-file
              cluster:
                server: https://file.example:6443
                certificate-authority: certs/ca.pem
            - name: insecure
              cluster:
                server: https://insecure.example:6443
                insecure-skip-tls-verify: true
            - name: data-wins
              cluster:
                server: https://both.example:6443
                certificate-authority-data: \(base64("inline-ca\n"))
                certificate-authority: certs/not-there.pem
            contexts:
            - name: inline
              context:
                cluster: inline
                namespace: team-a
            - name: from-file
              context:
                cluster: from-file
            - name: insecure
              context:
                cluster: insecure
            - name: data-wins
              context:
                cluster: data-wins
            """)
        let kubeconfig = try KubeConfig.load(paths: [path])

        let inline = try kubeconfig.restConfig()
        #expect(inline.server == "https://inline.example:6443")
        #expect(inline.namespace == "team-a")
        #expect(inline.certificateAuthorityData == Array("inline-ca\n".utf8))
        #expect(inline.tlsServerName == "api.inline.example")
        #expect(inline.insecureSkipTLSVerify == false)
        #expect(inline.clientCertificateData == nil)
        #expect(inline.credentials.isNone)

        // Relative to the kubeconfig's directory, not the working directory.
        let fromFile = try kubeconfig.restConfig(context: "from-file")
        #expect(fromFile.certificateAuthorityData == Array("file-ca\n".utf8))
        #expect(fromFile.tlsServerName == nil)
        #expect(fromFile.namespace == "default")

        let insecure = try kubeconfig.restConfig(context: "insecure")
        #expect(insecure.insecureSkipTLSVerify)
        #expect(insecure.certificateAuthorityData == nil)

        // Inline data wins over a file path, which is then not even read.
        #expect(try kubeconfig.restConfig(context: "data-wins").certificateAuthorityData == Array("inline-ca\n".utf8))
    }

    @Test func userCredentials() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("kube/pki/client.crt", "file-cert\n")
        let keyPath = try dir.write("elsewhere/client.key", "file-key\n")
        try dir.write("kube/secrets/token", "file-token\n")
        let path = try dir.write("kube/config", """
            current-context: data
            clusters:
            - name: c
              cluster:
                server: https://c.example:6443
            users:
            - name: data
              user:
                client-certificate-data: \(base64("data-cert\n"))
                client-key-data: \(base64("data-key\n"))
            - name: files
              user:
                client-certificate: pki/client.crt
                client-key: \(keyPath)
            - name: token
              user:
                token: static-token
            - name: token-file
              user:
                tokenFile: secrets/token
            contexts:
            - name: data
              context:
                cluster: c
                user: data
            - name: files
              context:
                cluster: c
                user: files
            - name: token
              context:
                cluster: c
                user: token
            - name: token-file
              context:
                cluster: c
                user: token-file
            """)
        let kubeconfig = try KubeConfig.load(paths: [path])

        let data = try kubeconfig.restConfig()
        #expect(data.clientCertificateData == Array("data-cert\n".utf8))
        #expect(data.clientKeyData == Array("data-key\n".utf8))
        #expect(data.credentials.isNone)

        let files = try kubeconfig.restConfig(context: "files")
        #expect(files.clientCertificateData == Array("file-cert\n".utf8))
        #expect(files.clientKeyData == Array("file-key\n".utf8))

        let token = try kubeconfig.restConfig(context: "token")
        #expect(token.credentials.tokenValue == "static-token")
        #expect(token.clientCertificateData == nil)

        let tokenFile = try kubeconfig.restConfig(context: "token-file")
        #expect(tokenFile.credentials.tokenFilePath == dir.path + "/kube/secrets/token")
        #expect(try await CredentialProvider(config: tokenFile).current().token == "file-token")
    }

    @Test func unusableContextsSayWhatAndWhere() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("kube/config", """
            current-context: good
            clusters:
            - name: good
              cluster:
                server: https://good.example:6443
            - name: serverless
              cluster:
                insecure-skip-tls-verify: true
            - name: bad-base64
              cluster:
                server: https://good.example:6443
                certificate-authority-data: Zm9vY
            - name: missing-ca-file
              cluster:
                server: https://good.example:6443
                certificate-authority: certs/absent.pem
            users:
            - name: cert-only
              user:
                client-certificate-data: \(base64("cert\n"))
            - name: legacy
              user:
                auth-provider:
                  name: oidc
                  config:
                    id-token: secret-id-token
            contexts:
            - name: good
              context:
                cluster: good
            - name: undefined-cluster
              context:
                cluster: ghost
            - name: undefined-user
              context:
                cluster: good
                user: ghost
            - name: no-server
              context:
                cluster: serverless
            - name: bad-base64
              context:
                cluster: bad-base64
            - name: missing-ca-file
              context:
                cluster: missing-ca-file
            - name: cert-without-key
              context:
                cluster: good
                user: cert-only
            - name: auth-provider
              context:
                cluster: good
                user: legacy
            """)
        let kubeconfig = try KubeConfig.load(paths: [path])
        #expect(try kubeconfig.restConfig().server == "https://good.example:6443")

        let unknown = #expect(throws: KubeConfigError.self) { try kubeconfig.restConfig(context: "nope") }
        #expect(unknown?.message.contains(#"context "nope" not found"#) == true)
        #expect(unknown?.message.contains("known contexts: auth-provider, bad-base64, cert-without-key, good,") == true)

        let cases = [
            ("undefined-cluster", #"context "undefined-cluster" refers to a cluster that is not defined"#),
            ("undefined-user", #"refers to user "ghost", which is not defined"#),
            ("no-server", #"cluster "serverless" has no server"#),
            ("bad-base64", "certificate-authority-data is not valid base64"),
            ("missing-ca-file", "cannot read \(dir.path)/kube/certs/absent.pem"),
            ("cert-without-key", #"user "cert-only" has a client certificate without a key"#),
            ("auth-provider", "legacy auth-provider, which is not supported"),
        ]
        for (context, fragment) in cases {
            let error = #expect(throws: KubeConfigError.self, "context \(context)") { try kubeconfig.restConfig(context: context) }
            #expect(error?.file == path, "context \(context)")
            #expect(error?.description.hasPrefix(path + ": ") == true, "context \(context)")
            #expect(error?.description.contains(fragment) == true, "context \(context): \(String(describing: error))")
            #expect(error?.description.contains("secret-id-token") == false)
        }
    }

    @Test func noCurrentContextNeedsAName() throws {
        let kubeconfig = try KubeConfig.parse("""
            clusters:
            - name: c
              cluster:
                server: https://c.example:6443
            contexts:
            - name: named
              context:
                cluster: c
            """)
        let error = #expect(throws: KubeConfigError.self) { try kubeconfig.restConfig() }
        #expect(error?.message.contains("no context selected") == true)
        #expect(try kubeconfig.restConfig(context: "named").server == "https://c.example:6443")
    }

    @Test func descriptionNeverShowsSecrets() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let key = "-----BEGIN PRIVATE KEY-----\nS3CR3T-KEY-BYTES\n-----END PRIVATE KEY-----\n"
        let path = try dir.write("config", """
            current-context: c
            clusters:
            - name: c
              cluster:
                server: https://secret.example:6443
            users:
            - name: u
              user:
                token: s3cr3t-bearer-token
                client-certificate-data: \(base64("-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n"))
                client-key-data: \(base64(key))
            contexts:
            - name: c
              context:
                cluster: c
                user: u
                namespace: team-a
            """)
        var config = try KubeConfig.load(paths: [path]).restConfig()
        #expect(config.credentials.tokenValue == "s3cr3t-bearer-token")
        #expect(config.clientKeyData == Array(key.utf8))
        for text in [config.description, String(describing: config), String(reflecting: config), "\(config)"] {
            #expect(!text.contains("s3cr3t-bearer-token"))
            #expect(!text.contains("S3CR3T-KEY-BYTES"))
            #expect(!text.contains(base64(key)))
        }
        #expect(config.description.contains("https://secret.example:6443"))
        #expect(config.description.contains("team-a"))
        #expect(config.description.contains("bearer token"))
        #expect(config.description.contains("client certificate"))

        config.credentials = .exec(ExecConfig(command: "/usr/local/bin/get-token", env: [("API_KEY", "exec-env-secret")]))
        #expect(config.description.contains("exec plugin /usr/local/bin/get-token"))
        #expect(!config.description.contains("exec-env-secret"))
    }
}

/// Exec credential plugins: a shell script that counts its runs, against a loopback server.
struct ExecPluginTests {
    /// Appends a line to `runs` next to itself on every run, saves `KUBERNETES_EXEC_INFO`
    /// to `exec-info.json`, and prints a token numbered by run ("exec-token-1", ...)
    /// that expires at `$EXPIRES`.
    static let countingPlugin = #"""
        #!/bin/sh
        here=$(dirname "$0")
        echo run >> "$here/runs"
        n=$(wc -l < "$here/runs" | tr -d ' ')
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$here/exec-info.json"
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-%s","expirationTimestamp":"%s"}}\n' "$n" "$EXPIRES"
        """#

    static let configMap = #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"default"}}"#
    static let unauthorized = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#

    @discardableResult
    func installPlugin(in dir: TemporaryDirectory, _ script: String = ExecPluginTests.countingPlugin, at name: String = "plugin.sh") throws -> String {
        try dir.write(name, script, mode: 0o755)
    }

    func runs(in dir: TemporaryDirectory) -> Int {
        ((try? dir.read("runs")) ?? []).count(where: { $0 == UInt8(ascii: "\n") })
    }

    func client(_ server: LoopbackHTTPServer, plugin: String, expires: Date) throws -> KubeClient {
        var config = RESTConfig(server: server.url)
        config.credentials = .exec(ExecConfig(command: plugin, env: [("EXPIRES", expires.formatted(.iso8601))]))
        config.retry = RetryPolicy.none
        return try KubeClient(config: config)
    }

    @Test func tokenIsCachedUntilItExpires() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackHTTPServer { _ in .json(200, Self.configMap) }
        defer { server.stop() }
        let c = try client(server, plugin: installPlugin(in: dir), expires: Date(timeIntervalSinceNow: 3600))
        for _ in 0..<3 {
            _ = try await c.get(.configMaps, name: "a")
        }
        #expect(server.requests.map { $0.header("Authorization") } == [String?](repeating: "Bearer exec-token-1", count: 3))
        #expect(runs(in: dir) == 1)

        // The plugin is told what the client expects, as client-go does.
        let info = try JSON.parse(dir.read("exec-info.json"))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
        #expect(info[path: "spec", "interactive"] == false)
    }

    /// A plugin file still open for writing somewhere (being installed, or inherited by a child
    /// another thread forked) cannot be executed for a moment (ETXTBSY): the client waits it out
    /// instead of failing the request. Seen as a flaky CI failure before the client retried.
    @Test func aPluginBusyForAMomentStillRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackHTTPServer { _ in .json(200, Self.configMap) }
        defer { server.stop() }
        let plugin = try installPlugin(in: dir)
        let writer = try #require(FileHandle(forWritingAtPath: plugin))
        let c = try client(server, plugin: plugin, expires: Date(timeIntervalSinceNow: 3600))
        let request = Task { try await c.get(.configMaps, name: "a") }
        try await Task.sleep(for: .milliseconds(100))
        try writer.close()
        _ = try await request.value
        #expect(server.requests.map { $0.header("Authorization") } == ["Bearer exec-token-1"])
    }

    @Test func expiredTokenRunsThePluginEveryTime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackHTTPServer { _ in .json(200, Self.configMap) }
        defer { server.stop() }
        let c = try client(server, plugin: installPlugin(in: dir), expires: Date(timeIntervalSinceNow: -3600))
        for _ in 0..<3 {
            _ = try await c.get(.configMaps, name: "a")
        }
        #expect(server.requests.map { $0.header("Authorization") } == ["Bearer exec-token-1", "Bearer exec-token-2", "Bearer exec-token-3"])
        #expect(runs(in: dir) == 3)
    }

    @Test func failingPluginReportsItsStderr() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plugin = try installPlugin(in: dir, """
            #!/bin/sh
            echo "stdout-secret-token"
            echo "session expired: run causeway-login first" >&2
            exit 1
            """)
        let server = try LoopbackHTTPServer { _ in .json(200, Self.configMap) }
        defer { server.stop() }
        let c = try client(server, plugin: plugin, expires: Date(timeIntervalSinceNow: 3600))
        let error = await #expect(throws: KubeClientError.self) { try await c.get(.configMaps, name: "a") }
        guard case .configuration(let configError) = error else {
            Issue.record("expected a configuration error, got \(String(describing: error))")
            return
        }
        #expect(configError.message.contains("exited with status 1"))
        let description = String(describing: error!)
        #expect(description.contains("session expired: run causeway-login first"))
        #expect(!description.contains("stdout-secret-token"))
        #expect(server.requests.isEmpty)
    }

    @Test func unauthorizedRerunsThePluginOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let attempts = AttemptCounter()
        let server = try LoopbackHTTPServer { _ in
            attempts.next("any") == 1 ? .json(401, Self.unauthorized) : .json(200, Self.configMap)
        }
        defer { server.stop() }
        let c = try client(server, plugin: installPlugin(in: dir), expires: Date(timeIntervalSinceNow: 3600))
        let object = try await c.get(.configMaps, name: "a")
        #expect(object[path: "metadata", "name"] == "a")
        #expect(server.requests.map { $0.header("Authorization") } == ["Bearer exec-token-1", "Bearer exec-token-2"])
        #expect(runs(in: dir) == 2)
    }

    @Test func persistentUnauthorizedIsAnError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try LoopbackHTTPServer { _ in .json(401, Self.unauthorized) }
        defer { server.stop() }
        let c = try client(server, plugin: installPlugin(in: dir), expires: Date(timeIntervalSinceNow: 3600))
        let error = await #expect(throws: KubeClientError.self) { try await c.get(.configMaps, name: "a") }
        #expect(error?.statusCode == 401)
        #expect(server.requests.count == 2)  // one fresh credential, then give up
        #expect(runs(in: dir) == 2)
    }

    @Test func kubeconfigExecResolvesRelativeCommandAgainstItsDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try installPlugin(in: dir, at: "kube/bin/plugin.sh")
        let expires = Date(timeIntervalSinceNow: 3600).formatted(.iso8601)
        let path = try dir.write("kube/config", """
            current-context: c
            clusters:
            - name: c
              cluster:
                server: https://c.example:6443
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: bin/plugin.sh
                  args:
                  - --cluster
                  - demo
                  env:
                  - name: EXPIRES
                    value: "\(expires)"
                  installHint: install causeway-login
            - name: old
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1alpha1
                  command: bin/plugin.sh
            contexts:
            - name: c
              context:
                cluster: c
                user: u
            - name: old
              context:
                cluster: c
                user: old
            """)
        let kubeconfig = try KubeConfig.load(paths: [path])
        let config = try kubeconfig.restConfig()
        let exec = try #require(config.credentials.execConfig)
        #expect(exec == ExecConfig(command: "bin/plugin.sh", args: ["--cluster", "demo"], env: [("EXPIRES", expires)]))
        #expect(exec.directory == dir.path + "/kube")
        #expect(exec.installHint == "install causeway-login")
        #expect(try await CredentialProvider(config: config).current().token == "exec-token-1")
        #expect(runs(in: dir.subdirectory("kube/bin")) == 1)

        let old = #expect(throws: KubeConfigError.self) { try kubeconfig.restConfig(context: "old") }
        #expect(old?.file == path)
        #expect(old?.message.contains("v1alpha1") == true)
    }
}

/// `RESTConfig.inCluster`: the service account mounted into a pod.
struct InClusterConfigTests {
    static let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test func readsTheServiceAccount() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("token", "sa-token\n")
        try dir.write("ca.crt", "cluster-ca\n")
        try dir.write("namespace", "team-a\n")
        let config = try RESTConfig.inCluster(environment: Self.environment, directory: dir.path)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "team-a")
        #expect(config.certificateAuthorityData == Array("cluster-ca\n".utf8))
        #expect(config.credentials.tokenFilePath == dir.path + "/token")
        #expect(try await CredentialProvider(config: config).current().token == "sa-token")
    }

    @Test func bracketsIPv6HostsAndDefaultsTheNamespace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("token", "sa-token")
        let config = try RESTConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "::1", "KUBERNETES_SERVICE_PORT": "6443"], directory: dir.path)
        #expect(config.server == "https://[::1]:6443")
        #expect(config.namespace == "default")
        #expect(config.certificateAuthorityData == nil)
    }

    @Test func outsideAClusterIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let noEnvironment = #expect(throws: KubeConfigError.self) { try RESTConfig.inCluster(environment: [:], directory: dir.path) }
        #expect(noEnvironment?.message.contains("KUBERNETES_SERVICE_HOST") == true)
        let onlyHost = #expect(throws: KubeConfigError.self) {
            try RESTConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], directory: dir.path)
        }
        #expect(onlyHost?.message.contains("KUBERNETES_SERVICE_PORT") == true)
        let noToken = #expect(throws: KubeConfigError.self) { try RESTConfig.inCluster(environment: Self.environment, directory: dir.path) }
        #expect(noToken?.file == dir.path + "/token")
    }

    /// Serves a ConfigMap to requests carrying `Bearer <accepted>`, 401 to any other.
    func makeServer(accepting accepted: Locked<String>) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            request.header("Authorization") == "Bearer \(accepted.value)"
                ? .json(200, ExecPluginTests.configMap)
                : .json(401, ExecPluginTests.unauthorized)
        }
    }

    func client(_ server: LoopbackHTTPServer, tokenFile: String) throws -> KubeClient {
        var config = RESTConfig(server: server.url)
        config.credentials = .tokenFile(tokenFile)
        config.retry = RetryPolicy.none
        return try KubeClient(config: config)
    }

    @Test func rotatedTokenFileIsReRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let accepted = Locked("token-one")
        let server = try makeServer(accepting: accepted)
        defer { server.stop() }
        let tokenFile = try dir.write("token", "token-one\n")
        let written = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 120)
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: tokenFile)
        let c = try client(server, tokenFile: tokenFile)
        _ = try await c.get(.configMaps, name: "a")

        // The kubelet rotates the token: new contents, a later modification time.
        try dir.write("token", "token-two\n")
        try FileManager.default.setAttributes([.modificationDate: written + 60], ofItemAtPath: tokenFile)
        accepted.value = "token-two"
        _ = try await c.get(.configMaps, name: "a")
        #expect(server.requests.map { $0.header("Authorization") } == ["Bearer token-one", "Bearer token-two"])
    }

    @Test func unauthorizedReReadsTheTokenFileEvenWhenItLooksUnchanged() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let accepted = Locked("token-one")
        let server = try makeServer(accepting: accepted)
        defer { server.stop() }
        let tokenFile = try dir.write("token", "token-one\n")
        let written = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 120)
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: tokenFile)
        let c = try client(server, tokenFile: tokenFile)
        _ = try await c.get(.configMaps, name: "a")

        // Rotated within the file system's timestamp granularity: same modification time,
        // so the cached token is sent, refused, and the file read again.
        try dir.write("token", "token-two\n")
        try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: tokenFile)
        accepted.value = "token-two"
        _ = try await c.get(.configMaps, name: "a")
        #expect(server.requests.map { $0.header("Authorization") } == ["Bearer token-one", "Bearer token-one", "Bearer token-two"])
    }
}

// MARK: - Helpers

/// A fresh directory under the system temporary directory; `remove()` deletes it with its contents.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("causeway-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    private init(path: String) {
        self.path = path
    }

    /// Writes `bytes` to `name` (relative; parent directories are created) and returns the full path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8], mode: Int? = nil) throws -> String {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        if let mode {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        return url.path
    }

    @discardableResult
    func write(_ name: String, _ text: String, mode: Int? = nil) throws -> String {
        try write(name, bytes: Array(text.utf8), mode: mode)
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }

    /// A view of a directory inside this one (not removed separately).
    func subdirectory(_ name: String) -> TemporaryDirectory {
        TemporaryDirectory(path: path + "/" + name)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A value shared between a test and a server handler's threads.
final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

func base64(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
}

extension CredentialSource {
    var isNone: Bool {
        if case .none = self { true } else { false }
    }

    var tokenValue: String? {
        if case .token(let token) = self { token } else { nil }
    }

    var tokenFilePath: String? {
        if case .tokenFile(let path) = self { path } else { nil }
    }

    var execConfig: ExecConfig? {
        if case .exec(let exec) = self { exec } else { nil }
    }
}
