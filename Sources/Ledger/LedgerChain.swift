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
    /// The last entry's seq and hash: what the next entry extends.
    public private(set) var head: LedgerHead?
    /// Every recorded id with its seq: all appending needs to absorb repeats. The
    /// entries themselves stay in the store, so a controller holding a thousand open
    /// ledgers does not carry a thousand histories in memory (42 MiB in the scale benchmark).
    private var seqByID: [String: Int]

    /// An empty chain.
    public init(evolution: EvolutionRef) {
        self.evolution = evolution
        head = nil
        seqByID = [:]
    }

    /// A chain over stored entries, which must verify as a chain of `evolution`.
    public init(evolution: EvolutionRef, verifying entries: [LedgerEntry]) throws(LedgerError) {
        let report = LedgerVerifier.verify(entries, evolution: evolution)
        if let violation = report.violation { throw .invalidChain(violation) }
        self.evolution = evolution
        head = entries.last?.asHead
        seqByID = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.seq) })
    }

    /// How many entries the chain holds.
    public var count: Int { seqByID.count }

    /// The seq of the entry recorded under `id`.
    public func seq(ofID id: String) -> Int? { seqByID[id] }

    /// What appending a batch of drafts amounts to.
    public struct Plan: Sendable {
        /// One per draft: a new entry, or the id of one already recorded (absorbed).
        public enum Outcome: Sendable, Equatable {
            case new(index: Int)
            case recorded(id: String)
        }

        /// The head the new entries extend.
        public var after: LedgerHead?
        /// Entries to store, in order (empty when every id was already recorded).
        public var newEntries: [LedgerEntry]
        /// One outcome per draft, in draft order (`new` indexes `newEntries`).
        public var outcomes: [Outcome]

        /// Ids of already recorded entries the batch repeats.
        public var recordedIDs: [String] {
            outcomes.compactMap { if case .recorded(let id) = $0 { id } else { nil } }
        }
    }

    /// Turns drafts into entries. `now` stamps drafts that carry no time.
    public func plan(_ drafts: [EntryDraft], now: LedgerTime) throws(LedgerError) -> Plan {
        var seq = head?.seq ?? 0
        var prev = head?.hash ?? .zero
        var newEntries: [LedgerEntry] = []
        var newByID: [String: Int] = [:]
        var outcomes: [Plan.Outcome] = []
        outcomes.reserveCapacity(drafts.count)
        var scratch: [UInt8] = []
        for draft in drafts {
            if seqByID[draft.id] != nil {
                outcomes.append(.recorded(id: draft.id))
                continue
            }
            if let pending = newByID[draft.id] {
                outcomes.append(.new(index: pending))
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
            outcomes.append(.new(index: newEntries.count))
            newEntries.append(entry)
        }
        return Plan(after: head, newEntries: newEntries, outcomes: outcomes)
    }

    /// Adopts a plan the store has accepted. The plan must extend the current head.
    public mutating func commit(_ plan: Plan) {
        precondition(plan.after == head, "a ledger plan must be committed onto the head it was made from")
        for entry in plan.newEntries { seqByID[entry.id] = entry.seq }
        if let last = plan.newEntries.last { head = last.asHead }
    }
}
