import Testing
import Foundation
@testable import Ledger

struct FileReadOnlyTests {
    static func drafts(_ range: Range<Int>) -> [EntryDraft] {
        range.map { EntryDraft(id: "f-\($0)", event: .applied, generation: 1, step: "db", target: "us-east",
                               actor: "causeway-controller", detail: ["n": .int(Int64($0))]) }
    }

    @Test func readsWhileAnAppenderHoldsTheLockAndChangesNothing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        _ = try await ledger.append(Self.drafts(0..<4))
        let snapshot = try FileLedgerStore.read(directory: dir.path, evolution: Fixtures.evolution)
        #expect(snapshot.entries == (try await ledger.entries()))
        #expect(snapshot.unterminatedTail == nil)
        // The appender still holds its lock and keeps appending.
        _ = try await ledger.append(Self.drafts(4..<6))
        #expect(try FileLedgerStore.read(directory: dir.path, evolution: Fixtures.evolution).entries.count == 6)
        store.close()
    }

    @Test func anUnterminatedTailIsLeftOutReportedAndNotCut() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        _ = try await Ledger(evolution: Fixtures.evolution, store: store).append(Self.drafts(0..<3))
        store.close()
        let handle = try #require(FileHandle(forWritingAtPath: store.path))
        handle.seekToEndOfFile()
        let fragment = Data(#"{"version":1,"seq":4,"#.utf8)
        handle.write(fragment)
        handle.closeFile()
        let size = try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int

        let snapshot = try FileLedgerStore.read(directory: dir.path, evolution: Fixtures.evolution)
        #expect(snapshot.entries.map(\.seq) == [1, 2, 3])
        #expect(snapshot.unterminatedTail?.line == 4)
        #expect(snapshot.unterminatedTail?.droppedBytes == fragment.count)
        #expect(try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int == size)
    }

    @Test func findsTheLedgersInADirectoryByTheirFirstEntry() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let recreated = EvolutionRef(namespace: "platform", name: Fixtures.evolution.name, uid: "0a0b0c0d")
        let other = EvolutionRef(namespace: "apps", name: "other", uid: "1234")
        for evolution in [Fixtures.evolution, recreated, other] {
            let store = try FileLedgerStore(directory: dir.path, evolution: evolution)
            _ = try await Ledger(evolution: evolution, store: store).append(Self.drafts(0..<2))
            store.close()
        }
        let empty = EvolutionRef(namespace: "platform", name: "never-appended", uid: "5678")
        try FileLedgerStore(directory: dir.path, evolution: empty).close()

        #expect(try FileLedgerStore.ledgers(in: dir.path) == [other, recreated, Fixtures.evolution])
        #expect(try FileLedgerStore.ledgers(in: dir.path, name: Fixtures.evolution.name) == [recreated, Fixtures.evolution])
        #expect(throws: LedgerFileError.self) { try FileLedgerStore.ledgers(in: dir.path + "/missing") }
    }
}
