internal import CCurlShim
import Foundation
import Synchronization

/// One libcurl multi handle driven by one thread: every request and watch to
/// one API server shares it, multiplexed as HTTP/2 streams on one connection
/// where the server offers HTTP/2. Fifty watches cost one thread, not fifty.
///
/// Other threads only enqueue commands and wake the loop (`curl_multi_wakeup`);
/// the multi and easy handles are touched by the loop thread alone.
final class CurlMultiLoop: Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    private struct Shared {
        var commands: [Command] = []
        var stopped = false
    }

    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())
    private let finished = Mutex<CheckedContinuation<Void, Never>?>(nil)

    /// Once per process; true when the TLS library was told to leave its state alone at exit.
    static let globalInit: Bool = {
        var kept: Int32 = 0
        _ = causeway_curl_global_init(&kept)
        return kept == 1
    }()

    init(name: String) {
        _ = Self.globalInit
        multi = curl_multi_init()!
        causeway_multi_setopt_long(multi, CURLMOPT_PIPELINING, causeway_CURLPIPE_MULTIPLEX)
        let threadName = String("kube-\(name)".prefix(15))  // the kernel keeps 15 bytes
        let thread = Thread { [self] in
            causeway_name_current_thread(threadName)
            run()
        }
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        if !enqueue(.add(transfer)) { transfer.cancel() }
    }

    func cancel(_ transfer: CurlTransfer) {
        if !enqueue(.cancel(transfer)) { transfer.cancel() }
    }

    /// Resumes a transfer paused for backpressure.
    func resume(_ transfer: CurlTransfer) {
        enqueue(.resume(transfer))
    }

    /// Queues a command and wakes the loop; false once the loop has stopped. The
    /// wakeup happens under the lock the loop holds to free the multi handle, so a
    /// late cancel (a stream dropped after its client) never touches freed memory.
    @discardableResult
    private func enqueue(_ command: Command) -> Bool {
        shared.withLock { state in
            guard !state.stopped else { return false }
            state.commands.append(command)
            curl_multi_wakeup(multi)
            return true
        }
    }

    /// Ends every transfer and the loop thread.
    func shutdown() {
        shared.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            curl_multi_wakeup(multi)
        }
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            let (commands, stopped) = shared.withLock { state in
                defer { state.commands.removeAll() }
                return (state.commands, state.stopped)
            }
            for command in commands {
                switch command {
                case .add(let t):
                    active[t.easy] = t
                    curl_multi_add_handle(multi, t.easy)
                case .cancel(let t):
                    guard active.removeValue(forKey: t.easy) != nil else { t.cancel(); continue }
                    curl_multi_remove_handle(multi, t.easy)
                    t.cancel()
                case .resume(let t):
                    if active[t.easy] != nil { t.resumeReceiving() }
                }
            }
            if stopped {
                for t in active.values {
                    curl_multi_remove_handle(multi, t.easy)
                    t.cancel()
                }
                shared.withLock { _ in _ = curl_multi_cleanup(multi) }
                return
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(code: code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
