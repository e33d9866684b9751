#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KubeJSON
import Ledger

// ledger-crash-child DIRECTORY EVOLUTION [--torn]
//
// Appends to the file ledger of evolution `crash-test/EVOLUTION` in a loop until
// killed, printing the seq of every entry an append acknowledged (one per line,
// written unbuffered). Ids are `op-0`, `op-1`, ...; on start it replays the last three ids
// it finds, as a controller re-deriving its last transitions would, so the crash
// tests also prove that replays are absorbed. `--torn` splits each write into
// small chunks with pauses, so a SIGKILL often lands mid-line.

/// Writes straight to a file descriptor: unbuffered, so what is printed is out before any kill.
func emit(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(n)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    emit("usage: ledger-crash-child DIRECTORY EVOLUTION [--torn]\n", to: 2)
    exit(2)
}
let evolution = EvolutionRef(namespace: "crash-test", name: arguments[2], uid: "uid-\(arguments[2])")
let options = FileLedgerStore.Options(sync: .perBatch,
                                      tornWriteSimulation: arguments.contains("--torn") ? (chunkBytes: 48, pauseMicroseconds: 150) : nil)

do {
    let store = try FileLedgerStore(directory: arguments[1], evolution: evolution, options: options)
    if let recovery = store.recovery { emit("recovered: \(recovery)\n", to: 2) }
    let ledger = try await Ledger(evolution: evolution, store: store)
    var next = max(0, await ledger.count - 3)
    while true {
        let size = Int.random(in: 1...6)
        let drafts = (next..<(next + size)).map { n in
            EntryDraft(id: "op-\(n)", event: .checkpointObserved, generation: 1, step: "step-\(n % 7)",
                       target: "target-\(n % 3)", actor: "ledger-crash-child",
                       detail: ["n": .int(Int64(n)), "padding": .string(String(repeating: "x", count: n % 64))])
        }
        let entries = try await ledger.append(drafts)
        emit(entries.map { "\($0.seq)\n" }.joined(), to: 1)
        next += size
    }
} catch {
    emit("ledger-crash-child: \(error)\n", to: 2)
    exit(1)
}
