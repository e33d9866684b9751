import Testing
import Foundation
import KubeJSON
@testable import Ledger

struct FileStoreTests {
    func drafts(_ range: Range<Int>) -> [EntryDraft] {
        range.map {
            EntryDraft(id: "op-\($0)", event: .checkpointObserved, generation: 1, step: "db", target: "us-east",
                       actor: "causeway-controller", detail: ["n": .int(Int64($0)), "text": "line\nbreak ✓"])
        }
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test(arguments: [FileLedgerStore.SyncPolicy.perBatch, .perEntry, .none])
    func roundTripsThroughTheFile(_ sync: FileLedgerStore.SyncPolicy) async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let nested = dir.path + "/a/b"
        var written: [LedgerEntry] = []
        do {
            let store = try FileLedgerStore(directory: nested, evolution: Fixtures.evolution, options: .init(sync: sync))
            #expect(store.recovery == nil)
            let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
            written += try await ledger.append(drafts(0..<3))
            written += try await ledger.append(drafts(3..<10))
            store.close()
        }
        let store = try FileLedgerStore(directory: nested, evolution: Fixtures.evolution)
        defer { store.close() }
        #expect(try store.loadEntries() == written)
        #expect(try store.currentHead() == written.last?.asHead)
        // The file is exactly the stored lines.
        #expect(try read(store.path) == written.flatMap { $0.jsonLine() })
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        #expect(try await ledger.append(drafts(8..<12)).map(\.seq) == [9, 10, 11, 12])
    }

    @Test func aTornTailIsCutAndReported() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var path = ""
        var entries: [LedgerEntry] = []
        do {
            let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
            path = store.path
            let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
            entries = try await ledger.append(drafts(0..<4))
            store.close()
        }
        let whole = try read(path)
        let nextLine = entries[3].jsonLine()  // stands in for a fifth entry half-written
        for cut in [1, nextLine.count / 2, nextLine.count - 1] {
            try write(whole + nextLine.prefix(cut), to: path)
            let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
            let recovery = try #require(store.recovery)
            #expect(recovery == LedgerRecovery(path: path, line: 5, offset: whole.count, droppedBytes: cut))
            #expect(recovery.description.contains(":5: cut an incomplete last line"))
            #expect(try store.loadEntries() == entries)
            #expect(try read(path) == whole)
            store.close()
        }
        // Reopening a clean file reports nothing.
        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        #expect(store.recovery == nil)
        store.close()
    }

    @Test func aCorruptLineInTheMiddleIsAnErrorNamingFileAndLine() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var path = ""
        do {
            let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
            path = store.path
            let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
            _ = try await ledger.append(drafts(0..<5))
            store.close()
        }
        let original = try read(path)
        var lines = original.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        lines[2] = Array(lines[2].prefix(40))  // line 3: truncated mid-entry but newline-terminated
        try write(Array(lines.joined(separator: [UInt8(ascii: "\n")])), to: path)

        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        defer { store.close() }
        #expect(store.recovery == nil)
        do {
            _ = try store.loadEntries()
            Issue.record("a corrupt line must not load")
        } catch let error {
            guard case .corruptLine(let p, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(p == path)
            #expect(line == 3)
            #expect(error.description.hasPrefix("\(path):3: not a valid ledger entry"))
        }
        await #expect(throws: LedgerFileError.self) { _ = try await Ledger(evolution: Fixtures.evolution, store: store) }
        // Nothing was "repaired".
        #expect(try read(path) == Array(lines.joined(separator: [UInt8(ascii: "\n")])))
    }

    @Test func aCorruptCompleteLastLineIsNotTreatedAsATornTail() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/" + FileLedgerStore.fileName(for: Fixtures.evolution)
        var rng = SeededRNG(seed: 9)
        let chain = Fixtures.chain(2, rng: &rng)
        try write(chain[0].jsonLine() + Array("{\"version\":1}\n".utf8), to: path)
        #expect(throws: LedgerFileError.corruptLine(path: path, line: 2, reason: "seq: missing")) {
            _ = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        }
        try write(Array("garbage\n".utf8), to: path)
        #expect(throws: LedgerFileError.self) { _ = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution) }
    }

    @Test func anEditedLineFailsVerificationOnOpen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var path = ""
        do {
            let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
            path = store.path
            _ = try await Ledger(evolution: Fixtures.evolution, store: store).append(drafts(0..<4))
            store.close()
        }
        let text = String(decoding: try read(path), as: UTF8.self)
        try write(Array(text.replacingOccurrences(of: #""n":2"#, with: #""n":7"#).utf8), to: path)
        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        defer { store.close() }
        await #expect(throws: LedgerError.invalidChain(LedgerViolation(position: 2, seq: 3, reason: .edited(hashRecomputed: false)))) {
            _ = try await Ledger(evolution: Fixtures.evolution, store: store)
        }
    }

    @Test func aSecondOpenerIsRefusedWithTheHoldersPID() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let first = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        do {
            _ = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
            Issue.record("the second opener must be refused")
        } catch {
            #expect(error == .locked(path: first.lockPath, holderPID: getpid()))
            #expect(error.description.contains("held by this process (pid \(getpid()))"))
        }
        // Another evolution in the same directory is independent.
        let other = try FileLedgerStore(directory: dir.path, evolution: EvolutionRef(namespace: "platform", name: "other", uid: "u2"))
        other.close()
        first.close()
        #expect(throws: LedgerFileError.closed(path: first.path)) { _ = try first.loadEntries() }
        let again = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        again.close()
    }

    @Test func aForeignFileIsRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/" + FileLedgerStore.fileName(for: Fixtures.evolution)
        var rng = SeededRNG(seed: 5)
        let stranger = EvolutionRef(namespace: "elsewhere", name: "thing", uid: "u-9")
        try write(Fixtures.chain(2, rng: &rng, evolution: stranger).flatMap { $0.jsonLine() }, to: path)
        #expect(throws: LedgerFileError.foreignEntry(path: path, line: 2, evolution: stranger)) {
            _ = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        }
    }

    @Test func appendsThatDoNotExtendTheHeadAreRefusedAndLeaveTheFileAlone() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var rng = SeededRNG(seed: 6)
        let chain = Fixtures.chain(3, rng: &rng)
        let store = try FileLedgerStore(directory: dir.path, evolution: Fixtures.evolution)
        defer { store.close() }
        try store.appendEntries([chain[0]], after: nil)
        #expect(throws: LedgerStoreError.headMoved(expected: nil, actual: chain[0].asHead)) {
            try store.appendEntries([chain[1]], after: nil)
        }
        #expect(throws: LedgerStoreError.self) { try store.appendEntries([chain[2]], after: chain[0].asHead) }
        #expect(try store.loadEntries() == [chain[0]])
    }

    @Test func fileNamesAreSanitisedAndBounded() {
        #expect(FileLedgerStore.fileName(for: EvolutionRef(namespace: "ns", name: "my.evo-1", uid: "abc-123"))
            == "ns_my.evo-1_abc-123.jsonl")
        #expect(FileLedgerStore.fileName(for: EvolutionRef(namespace: "a_b", name: "../x/y", uid: "%"))
            == "a%5Fb_..%2Fx%2Fy_%25.jsonl")
        let long = FileLedgerStore.fileName(for: EvolutionRef(namespace: "ns", name: String(repeating: "n", count: 253), uid: "u"))
        #expect(long.utf8.count <= 200)
        #expect(long.hasSuffix(".jsonl"))
        #expect(long != FileLedgerStore.fileName(for: EvolutionRef(namespace: "ns", name: String(repeating: "n", count: 252), uid: "u")))
    }
}
