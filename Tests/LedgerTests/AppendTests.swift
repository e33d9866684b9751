import Testing
import KubeJSON
@testable import Ledger

struct AppendTests {
    func draft(_ id: String, _ event: LedgerEvent = .stepStarted, step: String? = "db", target: String? = "us-east") -> EntryDraft {
        EntryDraft(id: id, event: event, generation: 1, step: step, target: target, actor: "causeway-controller",
                   detail: ["id": .string(id)])
    }

    @Test func assignsSeqPrevAndHash() async throws {
        let clock = Fixtures.TickingClock()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: MemoryLedgerStore(), clock: clock.now)
        let entries = try await ledger.append([draft("a"), draft("b"), draft("c")])
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries[0].prev == .zero)
        #expect(entries[0].prev.hex == String(repeating: "0", count: 64))
        #expect(entries[1].prev == entries[0].hash)
        #expect(entries[2].prev == entries[1].hash)
        #expect(entries.allSatisfy { $0.hash == $0.computedHash() })
        #expect(entries[0].at == LedgerTime(millisecondsSinceEpoch: Fixtures.epoch.millisecondsSinceEpoch + 1))
        #expect(LedgerVerifier.verify(try await ledger.entries(), evolution: Fixtures.evolution).isValid)
    }

    @Test func anIDAlreadyPresentIsAbsorbedAndAnsweredWithTheRecordedEntry() async throws {
        let store = MemoryLedgerStore()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        let first = try await ledger.append(draft("a"))
        var changed = draft("a")
        changed.actor = "someone-else"
        let again = try await ledger.append(changed)
        #expect(again == first)
        let batch = try await ledger.append([draft("b"), draft("a"), draft("b"), draft("c")])
        #expect(batch.map(\.seq) == [2, 1, 2, 3])
        #expect(await ledger.count == 3)
        #expect(store.entries.count == 3)
        #expect(store.appendCalls == 2)  // the all-absorbed append wrote nothing
        // A fresh ledger over the same store absorbs the same ids.
        let reopened = try await Ledger(evolution: Fixtures.evolution, store: store)
        #expect(try await reopened.append([draft("c"), draft("a")]).map(\.seq) == [3, 1])
        #expect(store.entries.count == 3)
    }

    @Test func aBatchIsOneStoreWrite() async throws {
        let store = MemoryLedgerStore()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        _ = try await ledger.append((0..<25).map { draft("x\($0)") })
        #expect(store.appendCalls == 1)
    }

    @Test func aFailureAfterAPartialWriteIsRepairedByReplayingTheSameDrafts() async throws {
        let store = MemoryLedgerStore()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        let drafts = (0..<5).map { draft("op\($0)") }
        store.failNextAppend(afterStoring: 2)
        await #expect(throws: MemoryLedgerStore.InjectedFailure.self) { try await ledger.append(drafts) }
        #expect(store.entries.count == 2)  // the crash left a prefix
        let entries = try await ledger.append(drafts)  // the controller re-derives and re-appends
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(store.entries.map(\.id) == drafts.map(\.id))
        #expect(LedgerVerifier.verify(store.entries).isValid)
    }

    @Test func twoAppendersOverOneStoreNeverFork() async throws {
        let store = MemoryLedgerStore()
        let a = try await Ledger(evolution: Fixtures.evolution, store: store)
        let b = try await Ledger(evolution: Fixtures.evolution, store: store)
        // Both replicas record overlapping facts concurrently (a leader handover).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (ledger, name) in [(a, "a"), (b, "b")] {
                group.addTask {
                    for i in 0..<40 {
                        _ = try await ledger.append([self.draft("shared-\(i)"), self.draft("\(name)-\(i)")])
                    }
                }
            }
            try await group.waitForAll()
        }
        let entries = store.entries
        #expect(LedgerVerifier.verify(entries, evolution: Fixtures.evolution).isValid)
        #expect(Set(entries.map(\.id)).count == entries.count)
        #expect(entries.count == 120)
    }

    @Test func concurrentCallsOnOneLedgerAreSerialised() async throws {
        let store = MemoryLedgerStore()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 { group.addTask { _ = try await ledger.append(self.draft("c\(i % 25)")) } }
            try await group.waitForAll()
        }
        #expect(store.entries.count == 25)
        #expect(LedgerVerifier.verify(store.entries).isValid)
    }

    @Test func refusesToOpenABrokenChain() async throws {
        var rng = SeededRNG(seed: 1)
        var entries = Fixtures.chain(5, rng: &rng)
        entries[2].actor = "mallory"
        let store = MemoryLedgerStore(entries: entries)
        await #expect(throws: LedgerError.invalidChain(LedgerViolation(position: 2, seq: 3, reason: .edited(hashRecomputed: false)))) {
            _ = try await Ledger(evolution: Fixtures.evolution, store: store)
        }
    }

    @Test func rejectsDraftsItCannotRecord() async throws {
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: MemoryLedgerStore())
        await #expect(throws: LedgerError.self) { try await ledger.append(self.draft("")) }
        var late = draft("late")
        late.at = LedgerTime(millisecondsSinceEpoch: LedgerTime.latest.millisecondsSinceEpoch + 1)
        await #expect(throws: LedgerError.self) { try await ledger.append(late) }
        #expect(await ledger.count == 0)
    }

    @Test func storesCheckThatABatchExtendsTheirHead() async throws {
        var rng = SeededRNG(seed: 2)
        let entries = Fixtures.chain(3, rng: &rng)
        let store = MemoryLedgerStore()
        await #expect(throws: LedgerStoreError.self) { try await store.append([entries[1]], after: nil) }
        try await store.append([entries[0]], after: nil)
        await #expect(throws: LedgerStoreError.headMoved(expected: nil, actual: entries[0].asHead)) {
            try await store.append([entries[1]], after: nil)
        }
        try await store.append([entries[1], entries[2]], after: entries[0].asHead)
        #expect(store.entries == entries)
    }
}
