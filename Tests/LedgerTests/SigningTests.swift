import Testing
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
@testable import Ledger

/// Checkpoints: the controller signs each head, keeps the signature with the
/// entries and in status, and verification names what a tenant changed.
struct SigningTests {
    static let signer = LedgerSigner()
    static var keyring: LedgerKeyring { LedgerKeyring(publicKeys: [signer.publicKey]) }

    @Test func aCheckpointRoundTripsAndVerifiesOnlyForItsHeadAndEvolution() throws {
        var rng = SeededRNG(seed: 7)
        let entries = Fixtures.chain(5, rng: &rng)
        let checkpoint = try Self.signer.sign(Fixtures.evolution, head: entries[4].asHead)
        let text = checkpoint.json.serializedString()
        #expect(LedgerCheckpoint(json: try JSON.parse(Array(text.utf8))) == checkpoint)
        #expect(checkpoint.keyID.count == 16 && checkpoint.signature.count == 64)
        #expect(Self.keyring.problem(with: checkpoint, of: Fixtures.evolution) == nil)

        var moved = checkpoint
        moved.seq = 4
        #expect(Self.keyring.problem(with: moved, of: Fixtures.evolution)?.contains("does not match seq 4") == true)
        let other = EvolutionRef(namespace: "platform", name: "other", uid: Fixtures.evolution.uid)
        #expect(Self.keyring.problem(with: checkpoint, of: other) != nil, "a signature is bound to its evolution")
        let stranger = try LedgerSigner().sign(Fixtures.evolution, head: entries[4].asHead)
        #expect(Self.keyring.problem(with: stranger, of: Fixtures.evolution)?.contains("not among the controller's keys") == true)
        #expect(!"\(Self.signer)".contains(String(Self.signer.rawRepresentation.map { String($0) }.joined())), "no key bytes in a description")
        #expect("\(Self.signer)" == "LedgerSigner(keyID: \(Self.signer.keyID))")
    }

    /// The three tamperings of the issue against a ConfigMap ledger, each named for what it broke.
    @Test func verifyNamesAnEditADeletedSegmentAndAConsistentRewrite() async throws {
        let harness = try await SimCluster.start()
        defer { Task { await harness.sim.stop() } }
        let evolution = Fixtures.evolution
        let options = ConfigMapLedgerStore.Options(rollAtBytes: 600)
        let ledger = try await Ledger(evolution: evolution, store: ConfigMapLedgerStore(client: harness.admin, evolution: evolution, options: options),
                                      signer: Self.signer, keyring: Self.keyring)
        for n in 0..<6 {
            _ = try await ledger.append(EntryDraft(id: "e\(n)", event: .stepStarted, generation: 1, step: "s\(n)", target: "t", actor: "causeway"))
        }
        let anchor = try #require(try await ledger.signedHead())
        func check() async throws -> [LedgerAnchors.Problem] {
            let store = ConfigMapLedgerStore(client: harness.admin, evolution: evolution)
            let entries = try await store.load()
            return LedgerAnchors.check(entries, evolution: evolution, anchor: anchor, stored: .kept(try await store.checkpoint()), keyring: Self.keyring)
        }
        #expect(try await check() == [])
        let segments = try await harness.segments()
        #expect(segments.count >= 3, "several segments, so one can be deleted")
        let original = segments

        // 1. A tenant edits an entry in place.
        var edited = segments[0]
        let text = edited[path: "data", ConfigMapLedgerStore.dataKey]?.stringValue ?? ""
        edited["data"] = [ConfigMapLedgerStore.dataKey: .string(text.replacingOccurrences(of: "\"causeway\"", with: "\"mallory\""))]
        _ = try await harness.admin.update(.configMaps, edited)
        #expect(try await check().map(\.kind) == ["broken-link"])
        try await restore(harness, original)

        // 2. She deletes the newest segment: the chain verifies, the anchor says what is missing.
        let newest = try #require(segments.last?[path: "metadata", "name"]?.stringValue)
        try await harness.admin.delete(.configMaps, name: newest, namespace: evolution.namespace)
        let truncated = try await check()
        #expect(truncated.map(\.kind).contains("head-mismatch"), "\(truncated)")
        #expect(truncated.first { $0.kind == "head-mismatch" }?.description.contains("are missing") == true)
        try await restore(harness, original)
        #expect(try await check() == [])

        // 3. She rewrites the whole chain consistently (hashes recomputed) under the old annotations.
        var rewriter = LedgerChain(evolution: evolution)
        let drafts = (0..<6).map { EntryDraft(id: "e\($0)", event: .stepStarted, generation: 1, step: "s\($0)", target: "t", actor: "mallory") }
        let plan = try rewriter.plan(drafts, now: Fixtures.epoch)
        rewriter.commit(plan)
        for harnessSegment in try await harness.segments() { try await harness.admin.delete(.configMaps, name: harnessSegment[path: "metadata", "name"]!.stringValue!, namespace: evolution.namespace) }
        let forged = ConfigMapLedgerStore(client: harness.admin, evolution: evolution, options: options)
        try await forged.append(plan.newEntries, after: nil, checkpoint: anchor)  // the old signature, copied
        let rewritten = try await check()
        #expect(rewritten.map(\.kind).contains("head-mismatch"), "\(rewritten)")
        #expect(Set(rewritten.map(\.kind)).isSubset(of: ["head-mismatch", "bad-signature"]))
        // And the controller refuses to extend it.
        await #expect(throws: LedgerError.self) {
            _ = try await Ledger(evolution: evolution, store: ConfigMapLedgerStore(client: harness.admin, evolution: evolution),
                                 signer: Self.signer, anchor: anchor, keyring: Self.keyring)
        }
    }

    /// Entries someone appends past the anchor are not the controller's: no checkpoint signs them.
    @Test func entriesAppendedBehindTheControllersBackAreUnanchored() async throws {
        var rng = SeededRNG(seed: 3)
        let entries = Fixtures.chain(4, rng: &rng)
        let anchor = try Self.signer.sign(Fixtures.evolution, head: entries[2].asHead)
        let forged = try LedgerSigner().sign(Fixtures.evolution, head: entries[3].asHead)
        let problems = LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: anchor, stored: .kept(forged), keyring: Self.keyring)
        #expect(problems.map(\.kind) == ["bad-signature", "unanchored"])
        // The controller's own tail (status not yet written, e.g. across a crash) passes.
        let own = try Self.signer.sign(Fixtures.evolution, head: entries[3].asHead)
        #expect(LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: anchor, stored: .kept(own), keyring: Self.keyring) == [])
        // No anchor yet: a ledger someone made before the controller wrote one is nobody's.
        #expect(LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: nil, stored: .kept(nil), keyring: Self.keyring).map(\.kind) == ["unanchored"])
        #expect(LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: nil, stored: .kept(own), keyring: Self.keyring) == [])
        // An unsigned anchor is a bad signature to anyone holding the keys.
        var unsigned = anchor
        unsigned.signature = []
        #expect(LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: unsigned, stored: .kept(own), keyring: Self.keyring).map(\.description)
                == ["bad signature: the status anchor (seq 3): it is not signed"])
        // A file ledger keeps no checkpoints: its tail past the anchor is the controller's own.
        #expect(LedgerAnchors.check(entries, evolution: Fixtures.evolution, anchor: anchor, stored: .notKept, keyring: Self.keyring) == [])
    }

    /// The key is made once, by whichever replica starts first, and read back by every restart.
    @Test func theSigningKeyIsCreatedOnceAndReadBackByEveryStart() async throws {
        let harness = try await SimCluster.start()
        defer { Task { await harness.sim.stop() } }
        _ = try await harness.admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "causeway-system"]])
        async let first = LedgerSigningKeys.loadOrCreate(client: try harness.client(), namespace: "causeway-system")
        async let second = LedgerSigningKeys.loadOrCreate(client: try harness.client(), namespace: "causeway-system")
        let (a, b) = try await (first, second)
        #expect(a.keyID == b.keyID, "two replicas starting at once agree on one key")
        for _ in 0..<3 {
            let restarted = try await LedgerSigningKeys.loadOrCreate(client: harness.admin, namespace: "causeway-system")
            #expect(restarted.keyID == a.keyID)
        }
        let keyring = try await LedgerSigningKeys.keyring(client: harness.admin, namespace: "causeway-system")
        #expect(keyring.keys.keys.sorted() == [a.keyID])
    }

    /// A tenant's segment claiming the largest seq there is does not crash whoever reads it
    /// (it once overflowed `seq + 1` and stopped the controller for every tenant).
    @Test func anAbsurdSeqInATenantsSegmentIsACorruptLineNotACrash() async throws {
        let harness = try await SimCluster.start()
        defer { Task { await harness.sim.stop() } }
        let evolution = Fixtures.evolution
        let store = ConfigMapLedgerStore(client: harness.admin, evolution: evolution)
        let ledger = try await Ledger(evolution: evolution, store: store)
        _ = try await ledger.append(EntryDraft(id: "a", event: .declared, generation: 1, actor: "causeway"))
        var segment = try #require(try await harness.segments().first)
        let line = segment[path: "data", ConfigMapLedgerStore.dataKey]?.stringValue ?? ""
        let forged = line.replacingOccurrences(of: "\"seq\":1,", with: "\"seq\":9223372036854775807,")
        #expect(forged != line)
        segment["data"] = [ConfigMapLedgerStore.dataKey: .string(forged)]
        _ = try await harness.admin.update(.configMaps, segment)
        do {
            _ = try await ConfigMapLedgerStore(client: harness.admin, evolution: evolution).load()
            Issue.record("a forged seq loaded")
        } catch {
            #expect("\(error)".contains("expected an integer from 1 to 2147483647"), "\(error)")
        }
    }

    func restore(_ harness: SimCluster, _ segments: [JSON]) async throws {
        for segment in try await harness.segments() {
            try await harness.admin.delete(.configMaps, name: segment[path: "metadata", "name"]!.stringValue!, namespace: Fixtures.evolution.namespace)
        }
        for segment in segments {
            var fresh = segment
            for field in ["resourceVersion", "uid", "creationTimestamp", "managedFields"] { fresh["metadata"]?[field] = nil }
            _ = try await harness.admin.create(.configMaps, fresh, namespace: Fixtures.evolution.namespace)
        }
    }
}
