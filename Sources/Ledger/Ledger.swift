@_exported import LedgerVocabulary

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
    /// Signs the head of every batch, kept with the entries where the store can keep it.
    private let signer: LedgerSigner?
    /// The keys whose checkpoints this ledger accepts when another appender moved the head.
    private let keyring: LedgerKeyring?
    private var chain: LedgerChain
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public static let maxAttempts = 8

    /// Loads and verifies the stored chain.
    ///
    /// - Parameters:
    ///   - clock: stamps drafts that carry no time; injected so tests are exact.
    ///   - signer: signs each batch's head (`signedHead`), and the store keeps it with the entries.
    ///   - anchor: the head signed earlier and kept outside the store (the Evolution's status);
    ///     with `keyring`, the stored chain must still hold it (`LedgerAnchors`), or nothing
    ///     is appended to it: a chain someone else rewrote is not extended.
    public init(evolution: EvolutionRef, store: any LedgerStore, signer: LedgerSigner? = nil, anchor: LedgerCheckpoint? = nil,
                keyring: LedgerKeyring? = nil, clock: @escaping @Sendable () -> LedgerTime = { LedgerTime.now() }) async throws {
        self.evolution = evolution
        self.store = store
        self.clock = clock
        self.signer = signer
        self.keyring = keyring
        let entries = try await store.load()
        if anchor != nil || keyring != nil {
            let problems = LedgerAnchors.check(entries, evolution: evolution, anchor: anchor, stored: try await store.storedCheckpoint(), keyring: keyring)
            if !problems.isEmpty { throw LedgerError.tampered(problems) }
        }
        chain = try LedgerChain(evolution: evolution, verifying: entries)
    }

    public var head: LedgerHead? { chain.head }

    /// The current head signed by this ledger's signer: what the controller anchors in status.
    public func signedHead() throws -> LedgerCheckpoint? {
        guard let signer, let head = chain.head else { return nil }
        return try signer.sign(evolution, head: head)
    }
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

    /// Reloads after another appender moved the head. With a keyring, the chain must still hold
    /// the head this ledger last knew, and what follows must carry a valid checkpoint: another
    /// replica of the controller signs what it appends, a tenant editing the store cannot.
    private func reloadLocked() async throws {
        let entries = try await store.load()
        if let keyring {
            let problems = LedgerAnchors.check(entries, evolution: evolution, anchor: try signedHead(), stored: try await store.storedCheckpoint(), keyring: keyring)
            if !problems.isEmpty { throw LedgerError.tampered(problems) }
        }
        chain = try LedgerChain(evolution: evolution, verifying: entries)
    }

    private func appendLocked(_ drafts: [EntryDraft]) async throws -> [LedgerEntry] {
        for attempt in 0..<Self.maxAttempts {
            if attempt > 0 {
                // Two appenders that both just lost would race again in step: a random pause of up to
                // 2^attempt ms lets one of them through (found by a test that livelocked under load).
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(1000 << attempt))))
            }
            let plan = try chain.plan(drafts, now: clock())
            if plan.newEntries.isEmpty { return try await results(of: plan) }
            let checkpoint = try plan.newEntries.last.flatMap { last in try signer?.sign(evolution, head: last.asHead) }
            do {
                try await store.append(plan.newEntries, after: plan.after, checkpoint: checkpoint)
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
