import Testing
import KubeJSON
@testable import Ledger

/// Randomized tampering: every trial must be caught at the right position with the right reason.
struct TamperTests {
    enum Tamper: CaseIterable {
        case edit, delete, insert, reorder, forkAfter, forkBefore, duplicateID, duplicateLine, rewriteAndRehash
    }

    struct Outcome: CustomStringConvertible {
        var entries: [LedgerEntry]
        var expected: LedgerViolation
        /// Whether the chain alone (no expected head) shows it.
        var visibleWithoutHead: Bool
        var what: String
        var description: String { what }
    }

    /// Changes one field of `entry` so that its canonical encoding differs.
    static func edit(_ entry: inout LedgerEntry, rng: inout SeededRNG) -> String {
        switch rng.next() % 17 {
        case 0: entry.version += 1; return "version"
        case 1: entry.seq += Int(rng.next() % 5) + 1; return "seq"
        case 2: entry.at.millisecondsSinceEpoch += Int64(rng.next() % 1000) + 1; return "at"
        case 3: entry.evolution.namespace += "x"; return "evolution.namespace"
        case 4: entry.evolution.name = "other"; return "evolution.name"
        case 5: entry.evolution.uid = String(entry.evolution.uid.reversed()); return "evolution.uid"
        case 6: entry.generation += 1; return "generation"
        case 7: entry.event = entry.event == .halted ? .resumed : .halted; return "event"
        case 8: entry.step = entry.step == nil ? "sneaky" : nil; return "step"
        case 9: entry.target = entry.target == nil ? "eu-west" : entry.target! + "!"; return "target"
        case 10: entry.actor += " (impersonated)"; return "actor"
        case 11: entry.detail["n"] = .int((entry.detail["n"]?.intValue ?? 0) + 1); return "detail.n"
        case 12: entry.detail["injected"] = .bool(true); return "detail.injected"
        case 13: entry.id += "'"; return "id"
        case 14: entry.prev.w2 ^= 1 << (rng.next() % 64); return "prev"
        case 15: entry.hash.w0 ^= 1 << (rng.next() % 64); return "hash"
        default: entry.extensions["smuggled"] = "yes"; return "extensions"
        }
    }

    static func tamper(_ original: [LedgerEntry], _ kind: Tamper, rng: inout SeededRNG) -> Outcome? {
        var entries = original
        let n = entries.count
        func pick(_ range: Range<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }

        switch kind {
        case .edit:
            let k = pick(0..<n)
            let field = edit(&entries[k], rng: &rng)
            return Outcome(entries: entries, expected: LedgerViolation(position: k, seq: entries[k].seq, reason: .edited(hashRecomputed: false)),
                           visibleWithoutHead: true, what: "edit \(field) of entry \(k)")

        case .delete:
            let k = pick(0..<n)
            let run = min(n - k, Int(rng.next() % 3) + 1)
            entries.removeSubrange(k..<(k + run))
            let atEnd = k == entries.count
            return Outcome(entries: entries,
                           expected: LedgerViolation(position: k, seq: atEnd ? nil : entries[k].seq, reason: .missing(seqs: (k + 1)...(k + run))),
                           visibleWithoutHead: !atEnd, what: "delete \(run) at \(k)")

        case .insert:
            let k = pick(0..<(n + 1))
            var rogue = Fixtures.chain(1, rng: &rng)[0]
            rogue.seq = pick(1..<(n + 3))
            rogue.prev = Fixtures.randomHash(&rng)
            rogue = Fixtures.sealed(rogue)
            entries.insert(rogue, at: k)
            return Outcome(entries: entries, expected: LedgerViolation(position: k, seq: rogue.seq, reason: .inserted),
                           visibleWithoutHead: k < n, what: "insert foreign entry (seq \(rogue.seq)) at \(k)")

        case .reorder:
            guard n >= 2 else { return nil }
            let i = pick(0..<(n - 1))
            let j = pick((i + 1)..<n)
            switch rng.next() % 3 {
            case 0: entries.swapAt(i, j)
            case 1: entries.insert(entries.remove(at: i), at: j)
            default: entries.insert(entries.remove(at: j), at: i)
            }
            return Outcome(entries: entries, expected: LedgerViolation(position: i, seq: entries[i].seq, reason: .reordered),
                           visibleWithoutHead: true, what: "reorder \(i) ↔ \(j)")

        case .forkAfter, .forkBefore:
            let k = pick(0..<n)
            var sibling = entries[k]
            sibling.actor = "second-appender"
            sibling.id = "fork-\(rng.next())"
            sibling.detail["forked"] = true
            sibling = Fixtures.sealed(sibling)
            if kind == .forkAfter {
                let q = pick((k + 1)..<(n + 1))
                entries.insert(sibling, at: q)
                return Outcome(entries: entries, expected: LedgerViolation(position: q, seq: sibling.seq, reason: .forked(sibling: k)),
                               visibleWithoutHead: true, what: "fork of \(k) placed at \(q)")
            }
            entries.insert(sibling, at: k)
            return Outcome(entries: entries, expected: LedgerViolation(position: k + 1, seq: original[k].seq, reason: .forked(sibling: k)),
                           visibleWithoutHead: true, what: "fork of \(k) placed before it")

        case .duplicateID:
            // A well-linked chain that records the same id twice (an idempotency failure).
            guard n >= 2 else { return nil }
            let j = pick(0..<(n - 1))
            let k = pick((j + 1)..<n)
            entries[k].id = entries[j].id
            for i in k..<n {
                if i > 0 { entries[i].prev = entries[i - 1].hash }
                entries[i] = Fixtures.sealed(entries[i])
            }
            return Outcome(entries: entries, expected: LedgerViolation(position: k, seq: entries[k].seq, reason: .duplicateID(first: j)),
                           visibleWithoutHead: true, what: "id of \(j) reused at \(k)")

        case .duplicateLine:
            let k = pick(0..<n)
            let q = pick((k + 1)..<(n + 1))
            entries.insert(entries[k], at: q)
            return Outcome(entries: entries, expected: LedgerViolation(position: q, seq: entries[k].seq, reason: .duplicateID(first: k)),
                           visibleWithoutHead: true, what: "line \(k) copied to \(q)")

        case .rewriteAndRehash:
            let k = pick(0..<n)
            let field = edit(&entries[k], rng: &rng)
            guard !["seq", "prev", "hash", "evolution.namespace", "evolution.name", "evolution.uid"].contains(field) else { return nil }
            entries[k] = Fixtures.sealed(entries[k])
            return Outcome(entries: entries, expected: LedgerViolation(position: k, seq: entries[k].seq, reason: .edited(hashRecomputed: true)),
                           visibleWithoutHead: k < n - 1, what: "rewrite \(field) of \(k) and re-hash it")
        }
    }

    @Test(arguments: Tamper.allCases)
    func everyTamperingIsCaughtAtTheRightPlaceForTheRightReason(_ kind: Tamper) {
        var rng = SeededRNG(seed: 0xC0FFEE ^ UInt64(Tamper.allCases.firstIndex(of: kind)!))
        var trials = 0
        while trials < 400 {
            let original = Fixtures.chain(Int(rng.next() % 30) + 1, rng: &rng)
            let head = original.last!.asHead
            guard let outcome = Self.tamper(original, kind, rng: &rng) else { continue }
            trials += 1
            let withHead = LedgerVerifier.verify(outcome.entries, evolution: Fixtures.evolution, expectedHead: head)
            #expect(withHead.violation == outcome.expected, "\(outcome) in a chain of \(original.count)")
            if outcome.visibleWithoutHead {
                let alone = LedgerVerifier.verify(outcome.entries, evolution: Fixtures.evolution)
                #expect(alone.violation == outcome.expected, "\(outcome) in a chain of \(original.count), no head")
            }
        }
    }

    @Test func untouchedChainsVerify() {
        var rng = SeededRNG(seed: 42)
        for _ in 0..<200 {
            let chain = Fixtures.chain(Int(rng.next() % 50) + 1, rng: &rng)
            let report = LedgerVerifier.verify(chain, evolution: Fixtures.evolution, expectedHead: chain.last!.asHead)
            #expect(report.isValid)
            #expect(report.head == chain.last!.asHead)
        }
        #expect(LedgerVerifier.verify([]).isValid)
    }

    @Test func anotherEvolutionsEntryIsNamed() {
        var rng = SeededRNG(seed: 3)
        let other = EvolutionRef(namespace: "platform", name: "auditor-role", uid: "a-different-uid")
        let chain = Fixtures.chain(4, rng: &rng, evolution: other)
        let report = LedgerVerifier.verify(chain, evolution: Fixtures.evolution)
        #expect(report.violation == LedgerViolation(position: 0, seq: 1, reason: .wrongEvolution(other)))
    }

    @Test func anEmptyChainExpectedToHaveEntriesIsMissingThem() {
        var rng = SeededRNG(seed: 4)
        let chain = Fixtures.chain(3, rng: &rng)
        let report = LedgerVerifier.verify([], expectedHead: chain.last!.asHead)
        #expect(report.violation == LedgerViolation(position: 0, seq: nil, reason: .missing(seqs: 1...3)))
    }

    @Test func violationsReadWell() {
        let v = LedgerViolation(position: 4, seq: 5, reason: .forked(sibling: 2))
        #expect(v.description == "entry 5 (seq 5): forked — it and entry 3 both extend the same predecessor")
        #expect(v.kind == "forked")
    }
}
