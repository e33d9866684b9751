/// Recomputes a chain and reports the first bad entry and why.
///
/// Guarantees: any single edit, deletion (other than of the last entries),
/// insertion, reordering or fork is reported at the right position with the
/// right reason; see `LedgerViolation.Reason` for how each is recognised.
///
/// Caveats: a chain alone cannot show that entries were cut off its end, nor that
/// every entry from some point on was rewritten and re-hashed. Pass the head
/// recorded elsewhere (the Evolution's status, an export) as `expectedHead` to
/// close both gaps.
///
/// Speed: one canonical encoding into a reused buffer and one SHA-256 per entry,
/// plus one set insert of the id's hash value; no intermediate `JSON` values.
public enum LedgerVerifier {
    /// What verification found.
    public struct Report: Sendable, Equatable {
        public var count: Int
        /// The last entry's seq and hash (as stored), when there are entries.
        public var head: LedgerHead?
        public var violation: LedgerViolation?

        public var isValid: Bool { violation == nil }
    }

    /// Verifies `entries` as a whole chain, starting from seq 1 and a zero `prev`.
    ///
    /// - Parameters:
    ///   - evolution: when given, every entry must belong to it.
    ///   - expectedHead: when given, the chain must end exactly there.
    public static func verify(_ entries: [LedgerEntry], evolution: EvolutionRef? = nil,
                              expectedHead: LedgerHead? = nil) -> Report {
        var report = Report(count: entries.count, head: entries.last?.asHead, violation: nil)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(1024)
        var idHashes = Set<Int>(minimumCapacity: entries.count)
        var predecessorHash = LedgerHash.zero
        var expectedSeq = 1

        for i in entries.indices {
            let entry = entries[i]
            if entry.computedHash(scratch: &scratch) != entry.hash {
                report.violation = LedgerViolation(position: i, seq: entry.seq, reason: .edited(hashRecomputed: false))
                return report
            }
            if let evolution, entry.evolution != evolution {
                report.violation = LedgerViolation(position: i, seq: entry.seq, reason: .wrongEvolution(entry.evolution))
                return report
            }
            if entry.seq != expectedSeq || entry.prev != predecessorHash {
                report.violation = classifyBrokenLink(at: i, in: entries, expectedHead: expectedHead)
                return report
            }
            // Ids are screened by their hash value (much cheaper than a dictionary of strings);
            // a repeat is confirmed by comparing the strings, so a collision is never reported.
            if !idHashes.insert(entry.id.hashValue).inserted, let first = entries[..<i].firstIndex(where: { $0.id == entry.id }) {
                report.violation = LedgerViolation(position: i, seq: entry.seq, reason: .duplicateID(first: first))
                return report
            }
            predecessorHash = entry.hash
            expectedSeq = entry.seq + 1
        }

        if let expectedHead, let violation = checkHead(entries, expectedHead) {
            report.violation = violation
        }
        return report
    }

    /// The entry at `i` is self-consistent but does not extend entry `i - 1`. Work out why.
    static func classifyBrokenLink(at i: Int, in entries: [LedgerEntry], expectedHead: LedgerHead?) -> LedgerViolation {
        let entry = entries[i]
        let predecessorHash = i == 0 ? LedgerHash.zero : entries[i - 1].hash
        let expectedSeq = i == 0 ? 1 : entries[i - 1].seq + 1
        func violation(_ reason: LedgerViolation.Reason, at position: Int = i) -> LedgerViolation {
            LedgerViolation(position: position, seq: position < entries.count ? entries[position].seq : nil, reason: reason)
        }

        // Which entry does it claim to follow? (-1: it claims to be the first.)
        var claimed: Int?
        if entry.prev == .zero {
            claimed = -1
        } else if let p = entries.firstIndex(where: { $0.hash == entry.prev }) {
            claimed = p
        }

        if let p = claimed {
            if p > i { return violation(.reordered) }
            if p == i - 1 {
                // Links to its predecessor but carries the wrong seq: a forged entry.
                return violation(.edited(hashRecomputed: true))
            }
            // It claims an earlier predecessor than its own: is there a sibling extending that one?
            if let q = entries[(p + 1)..<i].firstIndex(where: { $0.prev == entry.prev }) {
                return violation(entries[q].hash == entry.hash ? .duplicateID(first: q) : .forked(sibling: q))
            }
            return violation(.inserted)
        }

        // It claims a predecessor that is not in this chain.
        if i > 0, let expectedHead, entries[i - 1].asHead == expectedHead { return violation(.inserted) }
        if i + 1 < entries.count, entries[i + 1].prev == predecessorHash, entries[i + 1].seq == expectedSeq {
            return violation(.inserted)  // the chain continues around it
        }
        if entry.seq > expectedSeq { return violation(.missing(seqs: expectedSeq...(entry.seq - 1))) }
        if entry.seq == expectedSeq, i > 0 {
            // It stood here when written; its predecessor changed since.
            return violation(.edited(hashRecomputed: true), at: i - 1)
        }
        return violation(.inserted)
    }

    /// A valid chain compared with the head it should end at.
    static func checkHead(_ entries: [LedgerEntry], _ expected: LedgerHead) -> LedgerViolation? {
        let count = entries.count
        let actual = entries.last?.asHead
        if actual == expected { return nil }
        let lastSeq = actual?.seq ?? 0
        if expected.seq > lastSeq {
            return LedgerViolation(position: count, seq: nil, reason: .missing(seqs: (lastSeq + 1)...expected.seq))
        }
        // In a valid chain, seq n sits at position n - 1.
        let position = expected.seq - 1
        guard position >= 0 else {
            return LedgerViolation(position: 0, seq: entries.first?.seq, reason: .inserted)
        }
        if entries[position].hash == expected.hash {
            return LedgerViolation(position: position + 1, seq: entries[position + 1].seq, reason: .inserted)
        }
        return LedgerViolation(position: position, seq: entries[position].seq, reason: .edited(hashRecomputed: true))
    }
}
