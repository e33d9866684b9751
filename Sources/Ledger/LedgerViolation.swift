/// The first thing wrong with a chain: where, and why.
///
/// `position` is the index in the sequence that was verified (0-based; for a
/// file, line `position + 1`). It may equal the entry count when the chain is
/// shorter than an expected head says.
public struct LedgerViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The entry's content no longer matches its hash. `hashRecomputed`: the entry
        /// is self-consistent but its successor's `prev` (or the expected head) disagrees,
        /// so it was rewritten and re-hashed after the successor was written.
        case edited(hashRecomputed: Bool)
        /// Entries with these seqs are absent (deleted, or the chain was truncated).
        case missing(seqs: ClosedRange<Int>)
        /// The entry belongs later in the chain (its `prev` is the hash of an entry found after it).
        case reordered
        /// A second entry claims the same predecessor (same `prev`) as the entry at `sibling`:
        /// two appenders extended the same head.
        case forked(sibling: Int)
        /// The entry does not belong to this chain: its `prev` is no entry's hash here
        /// and the chain continues around it (or it follows the expected head).
        case inserted
        /// The entry repeats the idempotency id of the entry at `first`
        /// (a second record of the same fact; an exact copy of a line also lands here).
        case duplicateID(first: Int)
        /// A well-formed entry of another evolution.
        case wrongEvolution(EvolutionRef)
    }

    public var position: Int
    /// The seq the entry at `position` claims, when there is one.
    public var seq: Int?
    public var reason: Reason

    public init(position: Int, seq: Int?, reason: Reason) {
        self.position = position
        self.seq = seq
        self.reason = reason
    }

    /// A short name for the reason: `edited`, `missing`, `reordered`, `forked`, `inserted`,
    /// `duplicate-id` or `wrong-evolution`.
    public var kind: String {
        switch reason {
        case .edited: return "edited"
        case .missing: return "missing"
        case .reordered: return "reordered"
        case .forked: return "forked"
        case .inserted: return "inserted"
        case .duplicateID: return "duplicate-id"
        case .wrongEvolution: return "wrong-evolution"
        }
    }

    public var description: String {
        let at = "entry \(position + 1)" + (seq.map { " (seq \($0))" } ?? "")
        switch reason {
        case .edited(false): return "\(at): edited — its content does not match its hash"
        case .edited(true): return "\(at): edited — rewritten with a recomputed hash; the next entry's prev disagrees"
        case .missing(let seqs):
            let which = seqs.count == 1 ? "seq \(seqs.lowerBound) is" : "seqs \(seqs.lowerBound)–\(seqs.upperBound) are"
            return "\(at): missing — \(which) absent"
        case .reordered: return "\(at): reordered — it belongs after an entry that follows it"
        case .forked(let sibling): return "\(at): forked — it and entry \(sibling + 1) both extend the same predecessor"
        case .inserted: return "\(at): inserted — it does not link into this chain"
        case .duplicateID(let first): return "\(at): duplicate id — entry \(first + 1) has the same id"
        case .wrongEvolution(let other): return "\(at): belongs to another evolution, \(other)"
        }
    }
}
