import ArgumentParser
import Foundation
import KubeSim

/// Runs KubeSim on its own, for kubectl experiments and demos.
struct KubeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-sim",
        abstract: "Serve the embedded Kubernetes API server (KubeSim) until interrupted.")

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Bearer token that grants full access.")
    var token: String = "admin-token"

    @Option(help: "Where to write a kubeconfig for kubectl.")
    var kubeconfig: String = "kubesim.kubeconfig"

    @Option(help: "Name of the instance (kubeconfig context).")
    var name: String = "kubesim"

    @Flag(help: "Serve plain HTTP instead of HTTPS (kubectl will not send the token then).")
    var insecureHTTP = false

    @Option(help: "Keep state in this directory across restarts (pair it with a fixed --port so kubeconfigs stay valid).")
    var dataDir: String?

    func run() async throws {
        var options = KubeSimOptions(name: name)
        options.port = port
        options.tls = !insecureHTTP
        options.dataDirectory = dataDir
        options.tokens = [token: SimUser(name: "admin", groups: ["system:masters", "system:authenticated"])]
        let sim = try await KubeSim.start(options)
        try sim.writeKubeconfig(to: kubeconfig, token: token)
        say("KubeSim \(name) serving \(sim.url)" + (dataDir.map { ", state in \($0)" } ?? ""))
        say("kubeconfig written to \(kubeconfig): kubectl --kubeconfig \(kubeconfig) get namespaces")
        try await waitForInterrupt()
        await sim.stop()
    }
}

/// Suspends until SIGINT or SIGTERM.
func waitForInterrupt() async throws {
    await Interrupts().wait()
}

/// SIGINT and SIGTERM as a flag a loop can check and an event it can await,
/// so a command stops cleanly (state saved, servers stopped) wherever it is.
final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                    fired = true
                    defer { waiters.removeAll() }
                    return waiters
                }
                for waiter in waiting { waiter.resume() }
            }
            source.resume()
            SignalSources.keep(source)
        }
    }

    var happened: Bool { lock.withLock { fired } }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if fired { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// Signal sources must outlive the wait.
enum SignalSources {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static func keep(_ s: DispatchSourceSignal) { sources.append(s) }
}
