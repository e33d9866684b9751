import Testing
import KubeJSON
@testable import Ledger

/// One vocabulary: every kind of entry the engine can write is read back as itself,
/// rendered by name, and counted as a transition exactly when it is one.
struct VocabularyTests {
    @Test func everyKnownKindRoundTripsThroughTheReader() async throws {
        let store = MemoryLedgerStore()
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        let drafts = LedgerEvent.known.enumerated().map { i, event in
            EntryDraft(id: "k\(i)", event: event, generation: 1, step: "s", target: "t", actor: "causeway", detail: [:])
        }
        _ = try await ledger.append(drafts)
        let read = try store.entries.map { entry in
            try entry.jsonLine().dropLast().withUnsafeBufferPointer { try LedgerEntry(jsonLine: $0) }
        }
        #expect(read.map(\.event) == LedgerEvent.known)
        for event in read.map(\.event) {
            if case .other(let name) = event { Issue.record("\(name) is not known to the reader") }
            #expect(LedgerEvent(rawValue: event.rawValue) == event)
        }
        let table = LedgerRendering.table(read)
        for event in LedgerEvent.known { #expect(table.contains(" \(event.rawValue) "), "\(event) missing from the table") }
        #expect(LedgerQueries(entries: read).transitions().map(\.event) == LedgerEvent.known.filter(\.isTransition))
    }

    @Test func theDeclaredAndAppliedShapesRoundTrip() throws {
        let declared = DeclaredSequence(steps: [.init(name: "a", targets: ["t"], sync: .independent, contentHash: "00ff00ff00ff00ff"),
                                                .init(name: "b", targets: ["t"])],
                                         edges: [.init(from: "a", to: "b")], sequenceHash: "0123456789abcdef")
        #expect(try DeclaredSequence(detail: declared.detail) == declared)
        let object = AppliedObject.sent(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "n"], "data": ["k": "v"]],
                                        resourceVersion: "7")
        #expect(object.contentHash.count == 64)
        #expect(object.fields == ["data.k"])
        #expect(try AppliedObject.objects(inDetail: AppliedObject.detail(stepContentHash: "h", objects: [object])) == [object])
        // The hash is of the canonical form: key order does not change it.
        let reordered = AppliedObject.sent(["data": ["k": "v"], "metadata": ["namespace": "n", "name": "c"], "kind": "ConfigMap", "apiVersion": "v1"],
                                           resourceVersion: nil)
        #expect(reordered.contentHash == object.contentHash)
    }
}
