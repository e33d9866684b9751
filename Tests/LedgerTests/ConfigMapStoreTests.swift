import Testing
import Synchronization
import KubeClient
import KubeJSON
import KubeSim
import KubeSimTesting
@testable import Ledger

/// The suite's cluster: plain HTTP, an admin that does not retry, and the evolution's namespace created.
extension SimCluster {
    static func start() async throws -> SimCluster {
        let cluster = try await start("ledger", retry: .none)
        try await cluster.admin.createNamespace(Fixtures.evolution.namespace)
        return cluster
    }

    func segments() async throws -> [JSON] {
        let store = ConfigMapLedgerStore(client: admin, evolution: Fixtures.evolution)
        return try await admin.list(.configMaps, namespace: Fixtures.evolution.namespace,
                                    options: ListOptions(labelSelector: store.labelSelector)).items
            .sorted { ($0[path: "metadata", "name"]?.stringValue ?? "") < ($1[path: "metadata", "name"]?.stringValue ?? "") }
    }
}

/// Forwards to a store, counting the appends it refused because another appender moved the head.
final class CountingStore: LedgerStore {
    let inner: any LedgerStore
    let counts = Mutex<(appends: Int, headMoved: Int, failed: Int)>((0, 0, 0))
    init(_ inner: any LedgerStore) { self.inner = inner }
    func load() async throws -> [LedgerEntry] { try await inner.load() }
    func head() async throws -> LedgerHead? { try await inner.head() }
    func append(_ entries: [LedgerEntry], after expected: LedgerHead?, checkpoint: LedgerCheckpoint?) async throws {
        counts.withLock { $0.appends += 1 }
        do {
            try await inner.append(entries, after: expected, checkpoint: checkpoint)
        } catch LedgerStoreError.headMoved(let e, let a) {
            counts.withLock { $0.headMoved += 1 }
            throw LedgerStoreError.headMoved(expected: e, actual: a)
        } catch {
            counts.withLock { $0.failed += 1 }
            throw error
        }
    }
}

struct ConfigMapStoreTests {
    static func drafts(_ prefix: String, _ range: Range<Int>, padding: Int = 0) -> [EntryDraft] {
        range.map { n in
            EntryDraft(id: "\(prefix)-\(n)", event: .applied, generation: 1, step: "step-\(n % 3)", target: "us-east",
                       actor: "replica-\(prefix)",
                       detail: ["n": .int(Int64(n)), "pad": .string(String(repeating: "x", count: padding)),
                                "note": "ünïcode \"quoted\"\n\ttab ✓"])
        }
    }

    static func ids(_ entries: [LedgerEntry]) -> [String] { entries.map(\.id) }

    @Test func roundTripsThroughConfigMapsWithLabelsAndAnnotations() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution)
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        #expect(try await store.head() == nil)
        _ = try await ledger.append(Self.drafts("a", 0..<3))
        _ = try await ledger.append(Self.drafts("a", 3..<5))
        let written = try await ledger.entries()

        let reopened = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution)
        let loaded = try await reopened.load()
        #expect(loaded == written)
        #expect(try await reopened.head() == written.last?.asHead)
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)

        let segments = try await env.segments()
        #expect(segments.count == 1)
        let segment = try #require(segments.first)
        #expect(segment[path: "metadata", "name"]?.stringValue == "causeway-ledger-auditor-role-6f1c2a9e-000000")
        #expect(segment[path: "metadata", "labels", "causeway.dev/ledger"]?.stringValue == "true")
        #expect(segment[path: "metadata", "labels", "causeway.dev/evolution"]?.stringValue == "auditor-role")
        #expect(segment[path: "metadata", "labels", "causeway.dev/evolution-uid"]?.stringValue == Fixtures.evolution.uid)
        #expect(segment[path: "metadata", "annotations", "causeway.dev/ledger-first-seq"]?.stringValue == "1")
        #expect(segment[path: "metadata", "annotations", "causeway.dev/ledger-head-seq"]?.stringValue == "5")
        #expect(segment[path: "metadata", "annotations", "causeway.dev/ledger-head-hash"]?.stringValue == written.last?.hash.hex)
        #expect(segment[path: "metadata", "ownerReferences"] == nil)  // survives the Evolution by default
        let text = segment[path: "data", "entries.jsonl"]?.stringValue
        #expect(text == String(decoding: written.flatMap { $0.jsonLine() }, as: UTF8.self))
    }

    @Test func rollsSegmentsAtTheLimitWithOneWritePerBatch() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let options = ConfigMapLedgerStore.Options(rollAtBytes: 4_000)
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options)
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        let before = env.sim.revision
        let batches = 30
        for b in 0..<batches {
            _ = try await ledger.append(Self.drafts("r", (b * 4)..<(b * 4 + 4), padding: 100))
        }
        // One API write per batch of four entries, whether it updated a segment or rolled to a new one.
        #expect(env.sim.revision - before == Int64(batches))

        let segments = try await env.segments()
        #expect(segments.count > 5)
        let sizes = segments.map { $0[path: "data", "entries.jsonl"]?.stringValue?.utf8.count ?? 0 }
        let batchBytes = 4 * (try await ledger.entries().first?.jsonLine().count ?? 0) + 64
        #expect(sizes.dropLast().allSatisfy { $0 >= 4_000 && $0 < 4_000 + batchBytes })
        #expect(segments.map { $0[path: "metadata", "annotations", "causeway.dev/ledger-segment"]?.stringValue }
                == segments.indices.map { String($0) })

        let loaded = try await ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options).load()
        #expect(loaded == (try await ledger.entries()))
        #expect(loaded.count == batches * 4)
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
    }

    /// Appends every batch, retrying the same drafts when the ledger gives up (ids absorb what landed).
    static func appendAll(_ ledger: Ledger, _ batches: [[EntryDraft]]) async throws -> Int {
        var retries = 0
        for batch in batches {
            while true {
                do {
                    _ = try await ledger.append(batch)
                    break
                } catch {
                    retries += 1
                    if retries > 200 { throw error }
                    try? await ledger.reload()  // the next append reloads anyway if this one fails
                }
            }
        }
        return retries
    }

    @Test func twoConcurrentAppendersNeverForkOrReorderTheChain() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let options = ConfigMapLedgerStore.Options(rollAtBytes: 3_000)
        let storeA = CountingStore(ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options))
        let storeB = CountingStore(ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options))
        let ledgerA = try await Ledger(evolution: Fixtures.evolution, store: storeA)
        let ledgerB = try await Ledger(evolution: Fixtures.evolution, store: storeB)
        let before = env.sim.revision
        let batchesA = (0..<40).map { Self.drafts("a", ($0 * 2)..<($0 * 2 + 2)) }
        let batchesB = (0..<40).map { Self.drafts("b", ($0 * 2)..<($0 * 2 + 2)) }
        async let a = Self.appendAll(ledgerA, batchesA)
        async let b = Self.appendAll(ledgerB, batchesB)
        _ = try await (a, b)
        // Lost races write nothing: exactly one successful API write per batch.
        #expect(env.sim.revision - before == 80)
        let lost = storeA.counts.withLock { $0.headMoved } + storeB.counts.withLock { $0.headMoved }
        print("two appenders, 80 batches: \(lost) lost races (headMoved), \(env.sim.revision - before) writes")

        let loaded = try await ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options).load()
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
        #expect(loaded.count == 160)
        #expect(Set(Self.ids(loaded)) == Set((batchesA + batchesB).flatMap { $0.map(\.id) }))
        // Each appender's own batches keep their order in the shared chain.
        for prefix in ["a", "b"] {
            let mine = loaded.filter { $0.id.hasPrefix(prefix + "-") }.map { Int($0.id.dropFirst(2))! }
            #expect(mine == Array(0..<80))
        }
        #expect(try await env.segments().count > 1)
    }

    @Test func appendersWithDifferentRollSizesFollowTheSegmentsOwn() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let big = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: .init(rollAtBytes: 700_000))
        let small = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: .init(rollAtBytes: 1_000))
        let ledgerBig = try await Ledger(evolution: Fixtures.evolution, store: big)
        let ledgerSmall = try await Ledger(evolution: Fixtures.evolution, store: small)
        _ = try await ledgerBig.append(Self.drafts("big", 0..<2))
        for b in 0..<10 { _ = try await Self.appendAll(ledgerSmall, [Self.drafts("small", (b * 2)..<(b * 2 + 2), padding: 200)]) }
        // The segment the big-configured appender created keeps taking appends, whoever appends.
        #expect(try await env.segments().count == 1)
        #expect(try await env.segments().first?[path: "metadata", "annotations", "causeway.dev/ledger-roll-at"]?.stringValue == "700000")

        // Concurrently, from a ledger the small-configured appender started.
        let ns = Fixtures.evolution.namespace
        for segment in try await env.segments() {
            try await env.admin.delete(.configMaps, name: segment[path: "metadata", "name"]!.stringValue!, namespace: ns)
        }
        let freshSmall = try await Ledger(evolution: Fixtures.evolution,
                                          store: ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution,
                                                                      options: .init(rollAtBytes: 1_000)))
        let freshBig = try await Ledger(evolution: Fixtures.evolution,
                                        store: ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution))
        _ = try await freshSmall.append(Self.drafts("s", 0..<1))
        async let a = Self.appendAll(freshSmall, (1..<20).map { Self.drafts("s", $0..<($0 + 1), padding: 200) })
        async let b = Self.appendAll(freshBig, (0..<20).map { Self.drafts("b", $0..<($0 + 1), padding: 200) })
        _ = try await (a, b)
        let loaded = try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution).load()
        #expect(loaded.count == 40)
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
        // Every segment but the newest was frozen only once it reached the size it was created with.
        let segments = try await env.segments()
        #expect(segments.count > 1)
        #expect(segments.first?[path: "metadata", "annotations", "causeway.dev/ledger-roll-at"]?.stringValue == "1000")
        for segment in segments.dropLast() {
            let rollAt = Int(segment[path: "metadata", "annotations", "causeway.dev/ledger-roll-at"]?.stringValue ?? "") ?? 0
            #expect((segment[path: "data", "entries.jsonl"]?.stringValue?.utf8.count ?? 0) >= rollAt)
        }
    }

    @Test func injectedWriteFaultsLeaveOneCompleteChain() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        env.sim.injectFaults([
            FaultRule(methods: ["PUT", "POST"], pathContains: "/configmaps", rate: 0.25, effect: .error(code: 503)),
            FaultRule(methods: ["PUT", "POST"], pathContains: "/configmaps", rate: 0.1, effect: .tooManyRequests(retryAfterSeconds: 0)),
            FaultRule(methods: ["GET"], pathContains: "/configmaps", rate: 0.1, effect: .error(code: 503)),
        ], seed: 7)
        let retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(2), maxDelay: .milliseconds(10))
        let options = ConfigMapLedgerStore.Options(rollAtBytes: 3_000, retryDelay: .milliseconds(2))
        let storeA = CountingStore(ConfigMapLedgerStore(client: try env.client(retry: retry), evolution: Fixtures.evolution, options: options))
        let storeB = CountingStore(ConfigMapLedgerStore(client: try env.client(retry: retry), evolution: Fixtures.evolution, options: options))
        let ledgerA = try await Ledger(evolution: Fixtures.evolution, store: storeA)
        let ledgerB = try await Ledger(evolution: Fixtures.evolution, store: storeB)
        let before = env.sim.revision
        let batchesA = (0..<25).map { Self.drafts("a", ($0 * 3)..<($0 * 3 + 3)) }
        let batchesB = (0..<25).map { Self.drafts("b", ($0 * 3)..<($0 * 3 + 3)) }
        async let a = Self.appendAll(ledgerA, batchesA)
        async let b = Self.appendAll(ledgerB, batchesB)
        let retries = try await (a, b)
        env.sim.injectFaults([])
        // Faulted writes never reach the store, so still one landed write per batch.
        #expect(env.sim.revision - before == 50)
        let lost = storeA.counts.withLock { $0.headMoved } + storeB.counts.withLock { $0.headMoved }
        let failed = storeA.counts.withLock { $0.failed } + storeB.counts.withLock { $0.failed }
        print("faults, 50 batches: \(lost) lost races, \(failed) appends failed to the caller, \(retries.0 + retries.1) caller retries")

        let loaded = try await ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options).load()
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
        #expect(loaded.count == 150)
        #expect(Set(Self.ids(loaded)).count == 150)
        #expect(Set(Self.ids(loaded)) == Set((batchesA + batchesB).flatMap { $0.map(\.id) }))
    }

    @Test func aBatchAlreadyInTheStoreIsRecognisedNotRepeated() async throws {
        // Two ledgers with the same clock derive byte-identical entries from the same drafts:
        // what the second one finds after losing the race is exactly its own batch,
        // as after a write whose response was lost.
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let storeA = CountingStore(ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution))
        let storeB = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution)
        let clock: @Sendable () -> LedgerTime = { Fixtures.epoch }
        let ledgerA = try await Ledger(evolution: Fixtures.evolution, store: storeA, clock: clock)
        let ledgerB = try await Ledger(evolution: Fixtures.evolution, store: storeB, clock: clock)
        for n in [0, 3] {
            let batch = Self.drafts("same", n..<(n + 3))
            let byB = try await ledgerB.append(batch)
            let before = env.sim.revision
            let byA = try await ledgerA.append(batch)  // A's cached head is stale: its write loses, then finds the batch
            #expect(byA == byB)
            #expect(env.sim.revision == before)
        }
        #expect(storeA.counts.withLock { $0.headMoved } == 0)
        let loaded = try await ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution).load()
        #expect(Self.ids(loaded) == (0..<6).map { "same-\($0)" })
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
    }

    @Test func writesThatTimeOutAreReportedAndARetryRecordsThemOnce() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let store = ConfigMapLedgerStore(client: try env.client(timeout: .milliseconds(500)), evolution: Fixtures.evolution,
                                         options: .init(writeAttempts: 3, retryDelay: .milliseconds(20)))
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        _ = try await ledger.append(Self.drafts("l", 0..<2))
        // Every update now outlasts the client's patience.
        env.sim.injectFaults([FaultRule(methods: ["PUT"], pathContains: "/configmaps", rate: 1, effect: .latency(seconds: 1.2))])
        let batch = Self.drafts("l", 2..<5)
        await #expect {
            _ = try await ledger.append(batch)
        } throws: { error in
            guard case ConfigMapLedgerError.writeUnconfirmed(_, let attempts, _) = error else { return false }
            return attempts == 3
        }
        env.sim.injectFaults([])
        try await Task.sleep(for: .milliseconds(800))  // let delayed writes settle (KubeSim drops them; a real server might not)
        try await ledger.reload()
        _ = try await ledger.append(batch)
        _ = try await ledger.append(batch)  // absorbed
        let loaded = try await ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution).load()
        #expect(Self.ids(loaded) == (0..<5).map { "l-\($0)" })
        #expect(LedgerVerifier.verify(loaded, evolution: Fixtures.evolution).isValid)
    }

    @Test func corruptOrForeignSegmentsAreErrorsNamingTheConfigMapAndLine() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution)
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        _ = try await ledger.append(Self.drafts("c", 0..<3))
        let name = store.segmentName(0)

        var segment = try await env.admin.get(.configMaps, name: name, namespace: Fixtures.evolution.namespace)
        let original = segment
        var lines = segment[path: "data", "entries.jsonl"]!.stringValue!.split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].dropLast(5))
        segment["data"] = ["entries.jsonl": .string(lines.joined(separator: "\n") + "\n")]
        segment = try await env.admin.update(.configMaps, segment, namespace: Fixtures.evolution.namespace)
        await #expect {
            _ = try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution).load()
        } throws: { error in
            guard case ConfigMapLedgerError.corruptLine(_, let configMap, let line, _) = error else { return false }
            return configMap == name && line == 2 && "\(error)".contains("platform/\(name):2")
        }
        // Nothing was repaired.
        let after = try await env.admin.get(.configMaps, name: name, namespace: Fixtures.evolution.namespace)
        #expect(after[path: "data"] == segment[path: "data"])

        // Restore it, then plant a ConfigMap carrying the ledger's labels under a foreign name.
        var restored = original
        restored["metadata"]?["resourceVersion"] = after[path: "metadata", "resourceVersion"]
        _ = try await env.admin.update(.configMaps, restored, namespace: Fixtures.evolution.namespace)
        #expect(try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution).load().count == 3)
        var foreign = original
        foreign["metadata"] = ["name": "impostor", "labels": original[path: "metadata", "labels"]!,
                               "annotations": original[path: "metadata", "annotations"]!]
        _ = try await env.admin.create(.configMaps, foreign, namespace: Fixtures.evolution.namespace)
        await #expect {
            _ = try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution).load()
        } throws: { error in
            guard case ConfigMapLedgerError.corruptSegment(_, let configMap, _) = error else { return false }
            return configMap == "impostor"
        }
    }

    @Test func aMissingSegmentOrStaleHeadAnnotationIsAnErrorNotAGap() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let options = ConfigMapLedgerStore.Options(rollAtBytes: 1_000)
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution, options: options)
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        for b in 0..<6 { _ = try await ledger.append(Self.drafts("m", (b * 2)..<(b * 2 + 2), padding: 200)) }
        let segments = try await env.segments()
        #expect(segments.count >= 3)

        // The newest segment's annotations no longer match its entries.
        let newestName = store.segmentName(segments.count - 1)
        var newest = try await env.admin.get(.configMaps, name: newestName, namespace: Fixtures.evolution.namespace)
        newest["metadata"]?["annotations"]?["causeway.dev/ledger-head-seq"] = "999"
        _ = try await env.admin.update(.configMaps, newest, namespace: Fixtures.evolution.namespace)
        await #expect {
            _ = try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution, options: options).load()
        } throws: { error in
            guard case ConfigMapLedgerError.corruptSegment(_, let configMap, _) = error else { return false }
            return configMap == newestName
        }

        // A segment in the middle is gone.
        try await env.admin.delete(.configMaps, name: store.segmentName(1), namespace: Fixtures.evolution.namespace)
        await #expect {
            _ = try await ConfigMapLedgerStore(client: env.admin, evolution: Fixtures.evolution, options: options).load()
        } throws: { error in
            guard case ConfigMapLedgerError.missingSegment(_, let configMap, let index) = error else { return false }
            return index == 1 && configMap == store.segmentName(1)
        }
    }

    @Test func aBatchTooLargeForASegmentIsRefusedBeforeAnyWrite() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution,
                                         options: .init(rollAtBytes: 1_000, maxSegmentBytes: 2_000))
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        let before = env.sim.revision
        await #expect {
            _ = try await ledger.append(Self.drafts("big", 0..<4, padding: 600))
        } throws: { error in
            if case ConfigMapLedgerError.batchTooLarge = error { return true }
            return false
        }
        #expect(env.sim.revision == before)
        #expect(try await ledger.append(Self.drafts("big", 0..<1, padding: 600)).count == 1)
    }

    @Test func ledgersAreFoundByNameAfterTheEvolutionIsGoneOneLedgerPerUID() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let ns = Fixtures.evolution.namespace
        let recreated = EvolutionRef(namespace: ns, name: Fixtures.evolution.name, uid: "0a0b0c0d-1111-2222-3333-444455556666")
        let other = EvolutionRef(namespace: ns, name: "other", uid: "99999999-1111-2222-3333-444455556666")
        let longName = EvolutionRef(namespace: ns, name: String(repeating: "long-name-", count: 8) + "end",
                                    uid: "77777777-1111-2222-3333-444455556666")
        for evolution in [Fixtures.evolution, recreated, other, longName] {
            let store = ConfigMapLedgerStore(client: try env.client(), evolution: evolution, options: .init(rollAtBytes: 500))
            let ledger = try await Ledger(evolution: evolution, store: store)
            for b in 0..<3 { _ = try await ledger.append(Self.drafts("d", (b * 2)..<(b * 2 + 2))) }
        }
        let named = try await ConfigMapLedgerStore.ledgers(client: env.admin, namespace: ns, name: Fixtures.evolution.name)
        #expect(named.map(\.evolution) == [recreated, Fixtures.evolution])
        #expect(named.allSatisfy { $0.segments == 3 })
        let all = try await ConfigMapLedgerStore.ledgers(client: env.admin, namespace: ns)
        #expect(all.map(\.evolution) == [Fixtures.evolution, recreated, longName, other].sorted { ($0.name, $0.uid) < ($1.name, $1.uid) })
        #expect(try await ConfigMapLedgerStore.ledgers(client: env.admin, namespace: ns, name: longName.name).map(\.evolution) == [longName])
        for found in all {
            let entries = try await ConfigMapLedgerStore(client: env.admin, evolution: found.evolution).load()
            #expect(entries.count == 6)
            #expect(LedgerVerifier.verify(entries, evolution: found.evolution).isValid)
        }
    }

    @Test func retentionCanTieSegmentsToTheEvolution() async throws {
        let env = try await SimCluster.start()
        defer { Task { await env.stop() } }
        let store = ConfigMapLedgerStore(client: try env.client(), evolution: Fixtures.evolution,
                                         options: .init(retention: .deleteWithEvolution))
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: store)
        _ = try await ledger.append(Self.drafts("o", 0..<2))
        let owners = try await env.segments().first?[path: "metadata", "ownerReferences"]?.arrayValue
        #expect(owners?.count == 1)
        #expect(owners?.first?["uid"]?.stringValue == Fixtures.evolution.uid)
        #expect(owners?.first?["kind"]?.stringValue == "Evolution")
    }
}
