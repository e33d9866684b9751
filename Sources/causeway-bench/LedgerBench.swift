import Foundation
import KubeJSON
import Ledger

/// The ledger's figures: file appends per second (batched fsync, and fsync per append)
/// and verification speed over a million entries in memory.
func ledgerBenchmarks() throws -> [Row] {
    var rows: [Row] = []
    let evolution = EvolutionRef(namespace: "bench", name: "ledger", uid: "5b0d8a7e-1c2f-4e3a-9b6d-7f8e9a0b1c2d")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("causeway-ledger-bench-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }

    // A typical transition entry: a step on a target, with a small detail.
    func draft(_ n: Int) -> EntryDraft {
        EntryDraft(id: "3/StepConverged/step-\(n % 12)/target-\(n % 4)/\(n)", event: .stepConverged, generation: 3,
                   step: "step-\(n % 12)", target: "target-\(n % 4)", actor: "causeway-controller",
                   detail: ["checks": ["current", "jsonPath"], "stableForSeconds": 10, "observedGeneration": .int(Int64(n))])
    }

    for (label, batch, target) in [("batches of 100, one fsync per batch", 100, "≥ 50,000"), ("fsync per append", 1, "≥ 1,000")] {
        try? FileManager.default.removeItem(atPath: directory)
        let store = try FileLedgerStore(directory: directory, evolution: evolution, options: .init(sync: .perBatch))
        var chain = LedgerChain(evolution: evolution)
        var n = 0
        let batchesPerSecond = try throughput {
            let plan = try chain.plan((n..<(n + batch)).map(draft), now: LedgerTime.now())
            try store.appendEntries(plan.newEntries, after: plan.after)
            chain.commit(plan)
            n += batch
        }
        store.close()
        rows.append(Row(benchmark: "Ledger file append, \(label)", subject: "FileLedgerStore",
                        value: batchesPerSecond * Double(batch), unit: "appends/s", target: target))
    }

    let count = 1_000_000
    var chain = LedgerChain(evolution: evolution)
    let start = LedgerTime.now()
    var entries: [LedgerEntry] = []
    for base in stride(from: 0, to: count, by: 10_000) {
        let plan = try chain.plan((base..<(base + 10_000)).map(draft), now: start)
        chain.commit(plan)
        entries += plan.newEntries
    }
    let head = chain.head
    let runsPerSecond = throughput(rounds: 3, minimum: .zero) {
        let report = LedgerVerifier.verify(entries, evolution: evolution, expectedHead: head)
        precondition(report.isValid)
    }
    rows.append(Row(benchmark: "Ledger verify, 1,000,000 entries in memory", subject: "LedgerVerifier",
                    value: runsPerSecond * Double(count), unit: "entries/s", target: "≥ 500,000"))
    return rows
}
