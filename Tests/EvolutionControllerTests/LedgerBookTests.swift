import Foundation
import Testing
import EvolutionAPI
@testable import EvolutionController
import struct EvolutionEngine.LedgerRecord
import enum EvolutionEngine.LedgerEvent
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
import Ledger

/// A ledger signed by one replica's key is extended by another replica that made a
/// new key later: the book reads the published keys again instead of calling it tampered.
struct LedgerBookTests {
    @Test func aCheckpointByAKeyPublishedLaterIsAcceptedAfterReadingTheKeysAgain() async throws {
        let cluster = try await SimCluster.start("book")
        let sim = cluster.sim, admin = cluster.admin
        defer { Task { await sim.stop() } }
        let first = LedgerSigner(), second = LedgerSigner()
        let published = LedgerKeyring(publicKeys: [first.publicKey, second.publicKey])
        var evolution: JSON = ["metadata": ["name": "e", "namespace": "default", "uid": "u-book"]]
        let record = { (id: String) in LedgerRecord(id: id, event: .stepStarted, generation: 1, step: "s", target: "t", actor: nil, detail: [:]) }

        let one = LedgerBook(backend: .configMaps, client: admin, actor: "replica-1", signer: first)
        let anchor = try #require(try await one.record([record("a")], for: evolution))
        #expect(anchor.keyID == first.keyID)
        evolution["status"] = ["ledger": EvolutionStatus(ledger: anchor).json["ledger"] ?? .null]

        let reads = ReadCount()
        let two = LedgerBook(backend: .configMaps, client: admin, actor: "replica-2", signer: second,
                             keyring: LedgerKeyring(publicKeys: [second.publicKey]), refreshKeyring: { reads.add(); return published })
        let next = try #require(try await two.record([record("b")], for: evolution))
        #expect(next.entries == 2 && next.keyID == second.keyID)
        #expect(reads.count == 1)
        // A key nobody published stays a bad signature.
        let stranger = LedgerBook(backend: .configMaps, client: admin, actor: "replica-3", signer: LedgerSigner(),
                                  keyring: LedgerKeyring(), refreshKeyring: { LedgerKeyring() })
        await #expect(throws: LedgerError.self) { _ = try await stranger.record([record("c")], for: evolution) }
    }

    /// A controller with more Evolutions than descriptors keeps only the most recently used
    /// ledgers open (a file ledger holds two descriptors and its lock) and reopens the others
    /// when they are next written: their chains continue, checked against their anchors.
    @Test func fileLedgersBeyondTheLimitAreClosedAndReopenedIntact() async throws {
        let cluster = try await SimCluster.start("book-lru")
        let sim = cluster.sim, admin = cluster.admin
        defer { Task { await sim.stop() } }
        let directory = NSTemporaryDirectory() + "causeway-book-\(UUID().uuidString)"
        let signer = LedgerSigner()
        let book = LedgerBook(backend: .directory(directory), client: admin, actor: "c", signer: signer, maxOpen: 4)
        var evolutions = (0..<10).map { i -> JSON in ["metadata": ["name": .string("e\(i)"), "namespace": "default", "uid": .string("u\(i)")]] }
        /// Descriptors this process holds on files in the ledger directory.
        func descriptors() -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix(directory) == true }.count
        }
        for round in 0..<3 {
            for i in evolutions.indices {
                let record = LedgerRecord(id: "r\(round)", event: .stepStarted, generation: 1, step: "s\(round)", target: "t", actor: nil, detail: [:])
                let anchor = try #require(try await book.record([record], for: evolutions[i]))
                #expect(anchor.entries == round + 1)
                evolutions[i]["status"] = ["ledger": EvolutionStatus(ledger: anchor).json["ledger"] ?? .null]
                #expect(book.openCount <= 4)
            }
        }
        #expect(descriptors() == 8, "\(descriptors()) descriptors for 4 open ledgers")
        book.closeAll()
        for i in evolutions.indices {
            let entries = try FileLedgerStore.read(directory: directory, evolution: EvolutionRef(namespace: "default", name: "e\(i)", uid: "u\(i)")).entries
            #expect(entries.map(\.id) == ["r0", "r1", "r2"])
        }
    }

    final class ReadCount: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.withLock { n += 1 } }
        var count: Int { lock.withLock { n } }
    }
}
