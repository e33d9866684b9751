import Foundation
import Testing
import KubeJSON
@testable import KubeClient

/// TLS over real sockets: the client against `openssl s_server -WWW`, with keys
/// and certificates made by the openssl CLI for each test. Tests share nothing:
/// each has its own directory, its own server process and a port the server picks.
struct TLSTests {

    /// A fresh PKI and an `s_server` using `certificate`, both removed when `body` returns or throws.
    func withServer(certificate: String, requireClientCertificate: Bool,
                    _ body: (TestPKI, OpenSSLServer) async throws -> Void) async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try await OpenSSLServer.start(pki, certificate: certificate, requireClientCertificate: requireClientCertificate)
        defer { server.stop() }
        try await body(pki, server)
    }
    func baseConfig(_ server: OpenSSLServer) -> RESTConfig {
        var config = RESTConfig(server: server.url)
        config.retry = RetryPolicy.none
        config.timeout = .seconds(10)
        return config
    }

    /// The transport error `GET /version` fails with; nil (with an issue recorded) when it succeeds or fails otherwise.
    func transportFailure(_ config: RESTConfig, sourceLocation: SourceLocation = #_sourceLocation) async throws -> TransportError? {
        let client = try KubeClient(config: config)
        let error = await #expect(throws: KubeClientError.self, sourceLocation: sourceLocation) {
            try await client.send("GET", "/version")
        }
        guard case .transport(let transport)? = error else {
            if let error { Issue.record("expected a transport error, got \(error)", sourceLocation: sourceLocation) }
            return nil
        }
        return transport
    }

    @Test func mutualTLS() async throws {
        try await withServer(certificate: "server", requireClientCertificate: true) { pki, server in
            var config = baseConfig(server)
            config.certificateAuthorityData = try pki.read("ca.pem")
            config.clientCertificateData = try pki.read("client.pem")
            config.clientKeyData = try pki.read("client.key")
            let client = try KubeClient(config: config)

            let response = try await client.send("GET", "/version")
            #expect(response.status == 200)
            let version = try JSON.parse(response.body)
            #expect(version["major"] == "1")
            #expect(version["minor"] == "32")
            // s_server closes the connection after each response: the next request reconnects.
            #expect(try await client.send("GET", "/version").status == 200)
        }
    }

    @Test func serverCertificateFromAnotherCAIsUntrusted() async throws {
        try await withServer(certificate: "server", requireClientCertificate: true) { pki, server in
            var config = baseConfig(server)
            config.certificateAuthorityData = try pki.read("other-ca.pem")
            config.clientCertificateData = try pki.read("client.pem")
            config.clientKeyData = try pki.read("client.key")
            let failure = try await transportFailure(config)
            #expect(failure?.kind == .serverCertificateUntrusted)
            #expect(failure?.code == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect(failure?.url == server.url + "/version")
        }
    }

    @Test func unusableClientKeyIsRejected() async throws {
        try await withServer(certificate: "server", requireClientCertificate: true) { pki, server in
            // A real key that does not belong to the certificate, and PEM armour around garbage.
            for key in ["other-ca.key", "garbage.key"] {
                var config = baseConfig(server)
                config.certificateAuthorityData = try pki.read("ca.pem")
                config.clientCertificateData = try pki.read("client.pem")
                config.clientKeyData = try pki.read(key)
                let failure = try await transportFailure(config)
                #expect(failure?.kind == .clientCertificateRejected, "\(key)")
                #expect(failure?.code == 58, "\(key)")  // CURLE_SSL_CERTPROBLEM
            }
        }
    }

    @Test func missingClientCertificateIsRefused() async throws {
        try await withServer(certificate: "server", requireClientCertificate: true) { pki, server in
            var config = baseConfig(server)
            config.certificateAuthorityData = try pki.read("ca.pem")
            // With TLS 1.3 the client may finish its handshake before the server's
            // "certificate required" alert arrives, so the failure surfaces at different points.
            let failure = try await transportFailure(config)
            let expected: [TransportError.Kind] = [.connectionLost, .tlsHandshakeFailed, .clientCertificateRejected]
            #expect(failure.map { expected.contains($0.kind) } == true, "\(String(describing: failure))")
        }
    }

    @Test func insecureSkipTLSVerifyTrustsAnyServer() async throws {
        // Signed for kube.internal only, and no CA configured: nothing about it checks out.
        try await withServer(certificate: "named", requireClientCertificate: false) { pki, server in
            var config = baseConfig(server)
            config.insecureSkipTLSVerify = true
            let response = try await KubeClient(config: config).send("GET", "/version")
            #expect(response.status == 200)
            #expect(try JSON.parse(response.body)["major"] == "1")
        }
    }

    @Test func certificateForAnotherHostIsUntrusted() async throws {
        try await withServer(certificate: "named", requireClientCertificate: false) { pki, server in
            var config = baseConfig(server)
            config.certificateAuthorityData = try pki.read("ca.pem")
            let failure = try await transportFailure(config)
            #expect(failure?.kind == .serverCertificateUntrusted)
        }
    }

    @Test func tlsServerNameIsVerifiedInsteadOfTheURLHost() async throws {
        try await withServer(certificate: "named", requireClientCertificate: false) { pki, server in
            var config = baseConfig(server)
            config.certificateAuthorityData = try pki.read("ca.pem")
            config.tlsServerName = "kube.internal"
            let client = try KubeClient(config: config)
            let response = try await client.send("GET", "/version")
            #expect(response.status == 200)
        }
    }

    // MARK: - Fixtures

    struct TLSFixtureError: Error, CustomStringConvertible {
        let description: String

        init(_ description: String) {
            self.description = description
        }
    }

    /// The openssl command-line tool.
    enum OpenSSL {
        static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            .split(separator: ":")
            .map { "\($0)/openssl" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }

        static func executable() throws -> URL {
            guard let path = Self.path else {
                throw TLSFixtureError("the openssl command-line tool is not on PATH; hack/test.sh installs it (apt-get install openssl)")
            }
            return URL(fileURLWithPath: path)
        }

        /// Runs `openssl arguments` in `directory`; throws with its output when it fails.
        ///
        /// The output goes to a file, not a Pipe: on Linux, Foundation's Process closes the
        /// parent's descriptors in the child only up to the highest one open when it starts,
        /// so a pipe opened meanwhile by another test leaks into that test's child. When that
        /// child is a long-running s_server, waiting for the pipe's EOF blocks this (cooperative)
        /// thread until that other test stops its server; with a few such waits every thread of
        /// the pool is blocked and the whole run hangs. Waiting for the exit alone cannot.
        static func run(_ arguments: [String], in directory: String) throws {
            let outputPath = directory + "/openssl-\(UUID().uuidString).log"
            guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
                throw TLSFixtureError("cannot create \(outputPath)")
            }
            defer { try? FileManager.default.removeItem(atPath: outputPath) }
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            defer { try? output.close() }
            let process = Process()
            process.executableURL = try executable()
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                throw TLSFixtureError("openssl \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus):\n" + text)
            }
        }
    }

    /// A throwaway PKI in its own directory, all P-256 keys:
    /// - `ca.pem`/`ca.key`: the CA that signs everything below;
    /// - `server.pem`/`server.key`: a server certificate for IP 127.0.0.1;
    /// - `named.pem`/`named.key`: a server certificate for DNS kube.internal only;
    /// - `client.pem`/`client.key`: a client certificate;
    /// - `other-ca.pem`/`other-ca.key`: an unrelated CA;
    /// - `garbage.key`: PEM armour around bytes that are not a key;
    /// - `version`: what `s_server -WWW` serves for `GET /version`.
    struct TestPKI {
        let dir: TemporaryDirectory

        init() throws {
            dir = try TemporaryDirectory()
            do {
                try makeCA("ca", subject: "/CN=causeway-test-ca")
                try makeCA("other-ca", subject: "/CN=unrelated-test-ca")
                try issue("server", subject: "/CN=127.0.0.1", serial: 2,
                          extensions: ["subjectAltName=IP:127.0.0.1", "extendedKeyUsage=serverAuth"])
                try issue("named", subject: "/CN=kube.internal", serial: 3,
                          extensions: ["subjectAltName=DNS:kube.internal", "extendedKeyUsage=serverAuth"])
                try issue("client", subject: "/CN=causeway-test/O=system:masters", serial: 4,
                          extensions: ["extendedKeyUsage=clientAuth"])
                try dir.write("garbage.key", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n")
                try dir.write("version", #"{"major":"1","minor":"32"}"#)
            } catch {
                dir.remove()
                throw error
            }
        }

        private func makeCA(_ name: String, subject: String) throws {
            try OpenSSL.run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", subject,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", "\(name).key", "-out", "\(name).pem",
            ], in: dir.path)
        }

        /// A key and a certificate signed by `ca`, with `extensions` (openssl x509v3 config lines).
        private func issue(_ name: String, subject: String, serial: Int, extensions: [String]) throws {
            try dir.write("\(name).ext", (extensions + ["basicConstraints=CA:FALSE"]).joined(separator: "\n") + "\n")
            try OpenSSL.run([
                "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", subject, "-keyout", "\(name).key", "-out", "\(name).csr",
            ], in: dir.path)
            try OpenSSL.run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "\(serial)",
                "-days", "2", "-extfile", "\(name).ext", "-out", "\(name).pem",
            ], in: dir.path)
        }

        func read(_ name: String) throws -> [UInt8] {
            try dir.read(name)
        }

        func remove() {
            dir.remove()
        }
    }

    /// `openssl s_server -WWW` on 127.0.0.1, serving the PKI directory's files
    /// (`GET /version`) as HTTP/1.0 over TLS, on a port it picks itself.
    struct OpenSSLServer {
        let process: Process
        let port: Int
        /// Everything s_server printed, for diagnostics.
        let logPath: String

        var url: String { "https://127.0.0.1:\(port)" }

        /// Starts the server with `<certificate>.pem`/`.key`; when `requireClientCertificate`,
        /// clients must present a certificate signed by `ca.pem`. Returns once it listens.
        static func start(_ pki: TestPKI, certificate: String, requireClientCertificate: Bool) async throws -> OpenSSLServer {
            var arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", "\(certificate).pem", "-key", "\(certificate).key", "-WWW"]
            if requireClientCertificate {
                arguments += ["-CAfile", "ca.pem", "-Verify", "1"]
            }
            let logPath = pki.dir.path + "/s_server-\(UUID().uuidString).log"
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw TLSFixtureError("cannot create \(logPath)")
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            defer { try? log.close() }  // the child keeps its own descriptor

            let process = Process()
            process.executableURL = try OpenSSL.executable()
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: pki.dir.path)
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            do {
                let port = try await waitForPort(process, logPath: logPath)
                return OpenSSLServer(process: process, port: port, logPath: logPath)
            } catch {
                stop(process)
                throw error
            }
        }

        /// s_server prints `ACCEPT 127.0.0.1:<port>` once it listens on the port it bound.
        private static func waitForPort(_ process: Process, logPath: String) async throws -> Int {
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
                   let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]), port > 0 {
                    return port
                }
                guard process.isRunning else {
                    throw TLSFixtureError("openssl s_server exited with status \(process.terminationStatus):\n\(output)")
                }
                guard ContinuousClock.now < deadline else {
                    throw TLSFixtureError("openssl s_server did not start listening within 5 seconds:\n\(output)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func stop() {
            Self.stop(process)
        }

        private static func stop(_ process: Process) {
            // Not `terminate()`: on Linux, Foundation's Process spawns children with the
            // calling thread's signal mask, and Swift concurrency's (Dispatch) worker threads
            // block SIGTERM, so s_server would never see it and waitUntilExit() would spin
            // forever (swift-corelibs-foundation#4772). SIGKILL cannot be blocked.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }
}

/// A `causeway dev` run crashed in libcrypto while its exit handlers ran and a transfer thread
/// was still in a handshake: libcurl's TLS library must not free its state at exit.
@Suite struct TLSAtExitTests {
    @Test func theTLSLibraryIsToldToLeaveItsStateAloneAtExit() {
        #expect(CurlMultiLoop.globalInit, "OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT) was not found or refused")
    }
}
