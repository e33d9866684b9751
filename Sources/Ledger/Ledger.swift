/// One evolution's ledger: the hash chain over any `LedgerStore`, with exactly-once appends.
///
/// Expected flow: open it (which loads and verifies the stored chain), then
/// `append` drafts as transitions happen, several at once when they happen
/// together (one store write per batch).
///
/// Guarantees:
/// - Idempotent by id: a draft whose id is recorded is absorbed and answered with
///   the recorded entry, never duplicated. A controller that crashed between acting
///   and recording re-derives the same drafts and appends them again.
/// - Appends from this instance are serialised in call order. When another appender
///   moved the store's head, the ledger reloads, re-verifies and replans (ids absorb
///   whatever the other appender already recorded), up to `maxAttempts` times.
/// - When the store fails in an unknown state (some of the batch may have landed),
///   the ledger reloads before rethrowing, so a retry of the same drafts records
///   exactly the part that is missing.
///
/// Errors: `LedgerError` for a broken chain or a bad draft; store errors as thrown.
public actor Ledger {
    public nonisolated let evolution: EvolutionRef
    private let store: any LedgerStore
    private let clock: @Sendable () -> LedgerTime
    private var chain: LedgerChain
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public static let maxAttempts = 8

    /// Loads and verifies the stored chain.
    ///
    /// - Parameter clock: stamps drafts that carry no time; injected so tests are exact.
    public init(evolution: EvolutionRef, store: any LedgerStore,
                clock: @escaping @Sendable () -> LedgerTime = { LedgerTime.now() }) async throws {
        self.evolution = evolution
        self.store = store
        self.clock = clock
        chain = try LedgerChain(evolution: evolution, verifying: try await store.load())
    }

    public var head: LedgerHead? { chain.head }
    public var count: Int { chain.count }

    /// Every entry, read from the store (the ledger itself keeps only ids and the head).
    public func entries() async throws -> [LedgerEntry] {
        await acquire()
        defer { release() }
        return try await store.load()
    }

    /// Records one draft; returns its entry (new, or the one already holding its id).
    public func append(_ draft: EntryDraft) async throws -> LedgerEntry {
        try await append([draft])[0]
    }

    /// Records a batch with one store write; returns one entry per draft, in order.
    public func append(_ drafts: [EntryDraft]) async throws -> [LedgerEntry] {
        await acquire()
        do {
            let result = try await appendLocked(drafts)
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    /// Re-reads and re-verifies the store (after another appender wrote to it).
    public func reload() async throws {
        await acquire()
        do {
            try await reloadLocked()
            release()
        } catch {
            release()
            throw error
        }
    }

    private func reloadLocked() async throws {
        chain = try LedgerChain(evolution: evolution, verifying: try await store.load())
    }

    private func appendLocked(_ drafts: [EntryDraft]) async throws -> [LedgerEntry] {
        for _ in 0..<Self.maxAttempts {
            let plan = try chain.plan(drafts, now: clock())
            if plan.newEntries.isEmpty { return try await results(of: plan) }
            do {
                try await store.append(plan.newEntries, after: plan.after)
            } catch LedgerStoreError.headMoved {
                try await reloadLocked()
                continue
            } catch {
                try? await reloadLocked()
                throw error
            }
            chain.commit(plan)
            return try await results(of: plan)
        }
        throw LedgerError.contention(attempts: Self.maxAttempts)
    }

    /// One entry per draft. Repeats of recorded ids are read back from the store:
    /// that happens only after a crash or beside another appender, so it may cost a load.
    private func results(of plan: LedgerChain.Plan) async throws -> [LedgerEntry] {
        var recorded: [String: LedgerEntry] = [:]
        if !plan.recordedIDs.isEmpty {
            let wanted = Set(plan.recordedIDs)
            for entry in try await store.load() where wanted.contains(entry.id) { recorded[entry.id] = entry }
        }
        return try plan.outcomes.map { outcome in
            switch outcome {
            case .new(let index): return plan.newEntries[index]
            case .recorded(let id):
                guard let entry = recorded[id] else { throw LedgerError.recordedEntryMissing(id: id) }
                return entry
            }
        }
    }

    // A FIFO gate: actor methods can interleave at `await`, appends must not.
    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
