import Foundation
import KubeJSON
import Synchronization

/// What a request authenticates with right now.
struct Credentials: Sendable, Equatable {
    var token: String?
    var clientCertificate: [UInt8]?
    var clientKey: [UInt8]?
}

/// Produces current credentials: static ones as configured, a token file
/// re-read when it changes, an exec plugin run again once its credential expires
/// (or after the server answered 401).
final class CredentialProvider: Sendable {
    private let source: CredentialSource
    private let staticCertificate: [UInt8]?
    private let staticKey: [UInt8]?
    private let state = Mutex<Cached?>(nil)

    private struct Cached {
        var credentials: Credentials
        /// Token files: the modification time read; exec: the expiry.
        var fileModified: Date?
        var expires: Date?
    }

    init(config: RESTConfig) {
        source = config.credentials
        staticCertificate = config.clientCertificateData
        staticKey = config.clientKeyData
    }

    func current(now: Date = Date()) throws(KubeClientError) -> Credentials {
        switch source {
        case .none:
            return Credentials(clientCertificate: staticCertificate, clientKey: staticKey)
        case .token(let token):
            return Credentials(token: token, clientCertificate: staticCertificate, clientKey: staticKey)
        case .tokenFile(let path):
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
            if let cached = state.withLock({ $0 }), cached.fileModified == modified, modified != nil {
                return cached.credentials
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .configuration(KubeConfigError("cannot read token file", file: path))
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let credentials = Credentials(token: token, clientCertificate: staticCertificate, clientKey: staticKey)
            state.withLock { $0 = Cached(credentials: credentials, fileModified: modified) }
            return credentials
        case .exec(let exec):
            if let cached = state.withLock({ $0 }), cached.expires.map({ $0 > now }) ?? true {
                return cached.credentials
            }
            let (credentials, expires) = try ExecPlugin.run(exec)
            state.withLock { $0 = Cached(credentials: credentials, expires: expires) }
            return credentials
        }
    }

    /// The server rejected the credentials (401): forget cached exec/file results.
    func invalidate() {
        state.withLock { $0 = nil }
    }
}

/// Runs an exec credential plugin the way client-go does.
enum ExecPlugin {
    static func run(_ exec: ExecConfig) throws(KubeClientError) -> (Credentials, Date?) {
        let process = Process()
        let command = exec.command.contains("/") && !exec.command.hasPrefix("/") ? exec.directory + "/" + exec.command : exec.command
        if command.contains("/") {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = exec.args
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [command] + exec.args
        }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in exec.env { environment[k] = v }
        let info: JSON = ["apiVersion": .string(exec.apiVersion), "kind": "ExecCredential", "spec": ["interactive": false]]
        environment["KUBERNETES_EXEC_INFO"] = info.serializedString()
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let hint = exec.installHint.map { " (\($0))" } ?? ""
        do { try process.run() } catch {
            throw .configuration(KubeConfigError("cannot start exec plugin \(exec.command)\(hint): \(error.localizedDescription)"))
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            // The plugin's stderr is its own message to the user; its stdout may hold secrets.
            let message = String(decoding: errorOutput.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .configuration(KubeConfigError("exec plugin \(exec.command) exited with status \(process.terminationStatus): \(message)"))
        }
        let credential: JSON
        do { credential = try JSON.parse(Array(output)) } catch {
            throw .configuration(KubeConfigError("exec plugin \(exec.command) printed invalid JSON (\(error.reason))"))
        }
        guard credential["kind"]?.stringValue == "ExecCredential", let status = credential["status"] else {
            throw .configuration(KubeConfigError("exec plugin \(exec.command) did not print an ExecCredential with a status"))
        }
        var result = Credentials(token: status["token"]?.stringValue)
        if let cert = status["clientCertificateData"]?.stringValue, let key = status["clientKeyData"]?.stringValue {
            result.clientCertificate = Array(cert.utf8)
            result.clientKey = Array(key.utf8)
        }
        guard result.token != nil || result.clientCertificate != nil else {
            throw .configuration(KubeConfigError("exec plugin \(exec.command) returned neither a token nor a client certificate"))
        }
        let expires = status["expirationTimestamp"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) }
        return (result, expires)
    }
}
