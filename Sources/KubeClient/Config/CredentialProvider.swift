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

    func current(now: Date = Date()) async throws(KubeClientError) -> Credentials {
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
            let (credentials, expires) = try await ExecPlugin.runOffThePool(exec)
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
    /// Runs the plugin on a dispatch thread: waiting for a child would otherwise
    /// hold one of the few cooperative threads the whole process shares.
    static func runOffThePool(_ exec: ExecConfig) async throws(KubeClientError) -> (Credentials, Date?) {
        let result: Result<(Credentials, Date?), KubeClientError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(KubeClientError) in try run(exec) })
            }
        }
        return try result.get()
    }

    /// The errno behind a failed launch (Foundation wraps it in a CocoaError).
    static func posixCode(_ error: any Error) -> Int32? {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return Int32(underlying.code) }
        return (error as NSError).domain == NSPOSIXErrorDomain ? Int32((error as NSError).code) : nil
    }

    /// A Process runs once, launched or not: a fresh one with the same command and environment.
    static func relaunchable(_ failed: Process) -> Process {
        let process = Process()
        process.executableURL = failed.executableURL
        process.arguments = failed.arguments
        process.environment = failed.environment
        return process
    }

    /// Output goes to files, not pipes, and is read after the plugin exits: a
    /// pipe end inherited by some other child could otherwise hold EOF back, and
    /// a chatty plugin could fill one pipe while we read the other.
    static func run(_ exec: ExecConfig) throws(KubeClientError) -> (Credentials, Date?) {
        var process = Process()
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
        let base = NSTemporaryDirectory() + "causeway-exec-\(UUID().uuidString)"
        let hint = exec.installHint.map { " (\($0))" } ?? ""
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        do {
            guard FileManager.default.createFile(atPath: base + ".out", contents: nil, attributes: [.posixPermissions: 0o600]),
                  FileManager.default.createFile(atPath: base + ".err", contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw KubeConfigError("cannot create temporary files for exec plugin output") }
            let stdout = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
            let stderr = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
            defer {
                try? stdout.close()
                try? stderr.close()
            }
            // A plugin file still open for writing somewhere (being installed, or inherited by a
            // child another thread just forked) cannot be executed for a moment: wait that out.
            let deadline = ContinuousClock.now + .seconds(2)
            while true {
                process.standardOutput = stdout
                process.standardError = stderr
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    break
                } catch where posixCode(error) == ETXTBSY && ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.01)
                    process = relaunchable(process)
                }
            }
        } catch {
            let reason = posixCode(error).map { String(cString: strerror($0)) } ?? error.localizedDescription
            throw .configuration(KubeConfigError("cannot start exec plugin \(exec.command)\(hint): \(reason)"))
        }
        process.waitUntilExit()
        let output = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let errorOutput = FileManager.default.contents(atPath: base + ".err") ?? Data()
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
