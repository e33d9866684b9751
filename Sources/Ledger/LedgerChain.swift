import KubeJSON

/// The chain's state and the pure part of appending: which entries a batch of
/// drafts becomes, given what is already recorded.
///
/// A value type with no I/O, so the exactly-once rules are testable on their own:
/// `plan` turns drafts into new entries (seq, prev and hash assigned; ids already
/// present, or repeated within the batch, are absorbed and answered with the
/// entry that holds them); `commit` adopts a plan once the store has it.
public struct LedgerChain: Sendable {
    public let evolution: EvolutionRef
    public private(set) var entries: [LedgerEntry]
    private var positionByID: [String: Int]

    /// An empty chain.
    public init(evolution: EvolutionRef) {
        self.evolution = evolution
        entries = []
        positionByID = [:]
    }

    /// A chain over stored entries, which must verify as a chain of `evolution`.
    public init(evolution: EvolutionRef, verifying entries: [LedgerEntry]) throws(LedgerError) {
        let report = LedgerVerifier.verify(entries, evolution: evolution)
        if let violation = report.violation { throw .invalidChain(violation) }
        self.evolution = evolution
        self.entries = entries
        positionByID = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.id, $0) })
    }

    public var head: LedgerHead? { entries.last?.asHead }

    public func entry(id: String) -> LedgerEntry? { positionByID[id].map { entries[$0] } }

    /// What appending a batch of drafts amounts to.
    public struct Plan: Sendable {
        /// The head the new entries extend.
        public var after: LedgerHead?
        /// Entries to store, in order (empty when every id was already recorded).
        public var newEntries: [LedgerEntry]
        /// One entry per draft, in draft order: new, or the one already holding its id.
        public var results: [LedgerEntry]
    }

    /// Turns drafts into entries. `now` stamps drafts that carry no time.
    public func plan(_ drafts: [EntryDraft], now: LedgerTime) throws(LedgerError) -> Plan {
        var seq = entries.last?.seq ?? 0
        var prev = entries.last?.hash ?? .zero
        var newEntries: [LedgerEntry] = []
        var newByID: [String: Int] = [:]
        var results: [LedgerEntry] = []
        results.reserveCapacity(drafts.count)
        var scratch: [UInt8] = []
        for draft in drafts {
            if let existing = positionByID[draft.id] {
                results.append(entries[existing])
                continue
            }
            if let pending = newByID[draft.id] {
                results.append(newEntries[pending])
                continue
            }
            let at = draft.at ?? now
            if draft.id.isEmpty { throw .invalidDraft(id: draft.id, reason: "the id is empty") }
            if !at.isRepresentable { throw .invalidDraft(id: draft.id, reason: "time outside years 0000–9999") }
            if draft.generation < 0 { throw .invalidDraft(id: draft.id, reason: "negative generation") }
            seq += 1
            var entry = LedgerEntry(seq: seq, at: at, evolution: evolution, generation: draft.generation,
                                    event: draft.event, step: draft.step, target: draft.target, actor: draft.actor,
                                    detail: CanonicalJSON.normalized(draft.detail), id: draft.id, prev: prev)
            entry.hash = entry.computedHash(scratch: &scratch)
            prev = entry.hash
            newByID[draft.id] = newEntries.count
            newEntries.append(entry)
            results.append(entry)
        }
        return Plan(after: head, newEntries: newEntries, results: results)
    }

    /// Adopts a plan the store has accepted. The plan must extend the current head.
    public mutating func commit(_ plan: Plan) {
        precondition(plan.after == head, "a ledger plan must be committed onto the head it was made from")
        for entry in plan.newEntries {
            positionByID[entry.id] = entries.count
            entries.append(entry)
        }
    }
}
