import Foundation
import TestSupport

/// The built `causeway` executable, run as a child process the way an operator runs it.
public enum CausewayBinary {
    /// The binary built beside the tests (`swift build --build-tests` builds every product).
    public static let url: URL? = {
        let build = Command.repository.appendingPathComponent(".build")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [executable.appendingPathComponent("causeway"), build.appendingPathComponent("debug/causeway")]
        for triple in (try? FileManager.default.contentsOfDirectory(atPath: build.path)) ?? [] {
            candidates.append(build.appendingPathComponent("\(triple)/debug/causeway"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    public static func required() throws -> URL {
        guard let url else { throw SimTestingError("build the causeway executable first (hack/test.sh does)") }
        return url
    }

    /// `causeway controller` against `kubeconfig`, its output appended to the file `log`.
    /// `ledger` nil keeps ledgers in ConfigMaps (the in-cluster default).
    public static func startController(kubeconfig: String, ledger: String? = nil, log: String, identity: String = "controller-under-test",
                                       extraArguments: [String] = [], environment: [String: String] = [:]) throws -> Process {
        try start(["controller", "--kubeconfig", kubeconfig, "--health-port", "0", "--identity", identity]
                    + (ledger.map { ["--ledger-directory", $0] } ?? []) + extraArguments, log: log, environment: environment)
    }

    /// The binary with `arguments`, its output appended to the file `log`.
    public static func start(_ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.executableURL = try required()
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// The first line of `log` that starts with `prefix`, once the child has written it.
    public static func line(in log: String, startingWith prefix: String, timeout: Duration = .seconds(20)) async throws -> String {
        var found: String?
        try await eventually("a line starting with \"\(prefix)\" in \(log)", timeout: timeout) {
            let text = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
            found = text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
            return found != nil
        }
        return found ?? ""
    }

    /// SIGKILL, as a node failure would, and wait for the child to be gone.
    public static func kill9(_ process: Process) async {
        kill(process.processIdentifier, SIGKILL)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { process.waitUntilExit(); c.resume() }
        }
    }
}
