import Testing
@testable import KubeClient

/// A kubeconfig from a tenant's Secret may not make the controller run a command or
/// read its own files (its pod's token file above all): only inline material.
struct SelfContainedKubeConfigTests {
    static func kubeconfig(user: String, cluster: String = "server: https://k.example:6443") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{name: k, cluster: {\(cluster)}}]
        users: [{name: u, user: {\(user)}}]
        contexts: [{name: c, context: {cluster: k, user: u}}]
        """
    }

    @Test func inlineCredentialsAreAccepted() throws {
        let config = try KubeConfig.parseSelfContained(Self.kubeconfig(user: "token: abc"), file: "secret team-a/eu").restConfig()
        #expect(config.server == "https://k.example:6443")
    }

    @Test(arguments: [
        ("tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token", "tokenFile", "use token"),
        ("exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: [-c, 'touch /tmp/pwned']}", "exec", "use a token or a client certificate inline"),
        ("client-certificate: /etc/ssl/cert.pem, client-key: /etc/ssl/key.pem", "client-certificate", "use client-certificate-data"),
    ])
    func commandsAndFilesAreRefusedNamingTheField(user: String, field: String, fix: String) throws {
        do {
            _ = try KubeConfig.parseSelfContained(Self.kubeconfig(user: user), file: "secret team-a/eu").restConfig()
            Issue.record("\(field) was accepted")
        } catch {
            #expect(error.description.hasPrefix("secret team-a/eu: user \"u\" uses \(field), which a kubeconfig from a Secret may not"), "\(error)")
            #expect(error.description.hasSuffix(fix))
        }
        // The same file read as the operator's own kubeconfig is fine.
        if field == "tokenFile" { _ = try KubeConfig.parse(Self.kubeconfig(user: user)).restConfig() }
    }

    @Test(arguments: ["http://k.example:6443", "https://169.254.169.254/latest?x=", "https://user:pw@k.example", "https://k.example#frag"])
    func theServerMustBeAPlainHTTPSURL(server: String) {
        #expect(throws: KubeConfigError.self) {
            _ = try KubeConfig.parseSelfContained(Self.kubeconfig(user: "token: abc", cluster: "server: \"\(server)\""), file: "s").restConfig()
        }
    }

    @Test func aCertificateAuthorityFileIsRefused() {
        #expect(throws: KubeConfigError.self) {
            _ = try KubeConfig.parseSelfContained(Self.kubeconfig(user: "token: abc", cluster: "server: https://k:6443, certificate-authority: /etc/ca.pem"),
                                                  file: "s").restConfig()
        }
    }
}
