import Foundation

/// A command a test runs as a user would (kubectl, the causeway binary), and what it said.
public struct CommandRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Command {
    /// Runs `arguments` through /usr/bin/env, off the cooperative thread pool (it blocks
    /// while the child runs). Output goes to files and is read after exit, so a chatty
    /// child never blocks on a full pipe.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           directory: URL? = nil) async throws -> CommandRun {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let base = NSTemporaryDirectory() + "command-\(UUID().uuidString)"
                defer { for suffix in [".in", ".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
                do {
                    for suffix in [".in", ".out", ".err"] { _ = FileManager.default.createFile(atPath: base + suffix, contents: nil) }
                    try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: base + ".in"))
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = arguments
                    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
                    if let directory { process.currentDirectoryURL = directory }
                    process.standardInput = stdin == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: URL(fileURLWithPath: base + ".in"))
                    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
                    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
                    try process.run()
                    process.waitUntilExit()
                    let read = { (suffix: String) in String(decoding: FileManager.default.contents(atPath: base + suffix) ?? Data(), as: UTF8.self) }
                    continuation.resume(returning: CommandRun(status: process.terminationStatus, stdout: read(".out"), stderr: read(".err")))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Real kubectl against `kubeconfig`, with a fresh discovery cache (its own HOME).
    public static func kubectl(_ arguments: [String], kubeconfig: String, stdin: String? = nil, timeout: Int = 30) async throws -> CommandRun {
        try await run(["kubectl", "--kubeconfig", kubeconfig, "--request-timeout=\(timeout)s"] + arguments, stdin: stdin,
                      environment: ["HOME": NSTemporaryDirectory() + "kubectl-home-\(UUID().uuidString)"])
    }

    /// The repository this test was built from.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/TestSupport/Command.swift
        return url
    }()
}
