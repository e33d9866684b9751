import Foundation
import Synchronization
import KubeJSON
@testable import Ledger

/// SplitMix64: a tiny seeded generator, so randomized trials replay exactly.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    static let evolution = EvolutionRef(namespace: "platform", name: "auditor-role", uid: "6f1c2a9e-0b7d-4c1e-9a55-2f0d3b8e7c41")
    static let epoch = LedgerTime(rfc3339: "2025-03-04T05:06:07.089Z")!

    /// A clock that ticks one millisecond per reading.
    final class TickingClock: Sendable {
        let next = Mutex<Int64>(0)
        let start: LedgerTime
        init(start: LedgerTime = Fixtures.epoch) { self.start = start }
        func now() -> LedgerTime {
            next.withLock { n in
                n += 1
                return LedgerTime(millisecondsSinceEpoch: start.millisecondsSinceEpoch + n)
            }
        }
    }

    static func draft(_ n: Int, rng: inout SeededRNG) -> EntryDraft {
        let events: [LedgerEvent] = LedgerEvent.known
        let event = events[Int(rng.next() % UInt64(events.count))]
        var detail: JSONObject = ["n": .int(Int64(n))]
        if rng.next() % 2 == 0 { detail["note"] = .string("entry \(n) — ünïcode \"quoted\"\n") }
        if rng.next() % 3 == 0 { detail["nested"] = ["z": 1, "a": [true, nil, 2.5]] }
        return EntryDraft(id: "id-\(n)-\(rng.next() % 1000)", event: event, generation: Int(rng.next() % 4) + 1,
                          step: rng.next() % 4 == 0 ? nil : "step-\(rng.next() % 5)",
                          target: rng.next() % 3 == 0 ? nil : "target-\(rng.next() % 3)",
                          actor: rng.next() % 2 == 0 ? "causeway-controller" : "alice@example.com", detail: detail,
                          at: LedgerTime(millisecondsSinceEpoch: epoch.millisecondsSinceEpoch + Int64(n) * 1000))
    }

    /// A valid chain of `count` entries.
    static func chain(_ count: Int, rng: inout SeededRNG, evolution: EvolutionRef = Fixtures.evolution) -> [LedgerEntry] {
        var chain = LedgerChain(evolution: evolution)
        var drafts: [EntryDraft] = []
        var ids = Set<String>()
        var n = 0
        while drafts.count < count {
            let d = draft(n, rng: &rng)
            n += 1
            if ids.insert(d.id).inserted { drafts.append(d) }
        }
        let plan = try! chain.plan(drafts, now: epoch)
        chain.commit(plan)
        return plan.newEntries
    }

    /// Builds an entry with a correct hash for its (possibly forged) content.
    static func sealed(_ entry: LedgerEntry) -> LedgerEntry {
        var e = entry
        e.hash = e.computedHash()
        return e
    }

    static func randomHash(_ rng: inout SeededRNG) -> LedgerHash {
        LedgerHash(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
    }
}

/// A fresh directory under the system's temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
