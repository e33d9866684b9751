/// Checks a ledger against what anchors it outside a tenant's reach: the
/// controller-signed head in the Evolution's status (`anchor`) and the signed
/// checkpoint kept with the newest entries (`stored`, ConfigMap ledgers).
///
/// What each threat looks like:
/// - an entry edited: the chain itself breaks (`LedgerVerifier`);
/// - the newest entries (a whole segment) deleted: the anchor's seq is past the chain's end;
/// - the chain rewritten consistently, hashes recomputed: the anchored seq holds another
///   hash, and the stored checkpoint's signature no longer matches;
/// - entries appended by someone else: they lie past the anchor, and no valid checkpoint signs them.
/// Entries past the anchor that a valid stored checkpoint signs are the controller's own
/// (written before its status caught up, e.g. across a crash) and pass. A store that keeps
/// no checkpoints (a file on the controller's own disk, out of tenants' reach) cannot
/// prove that, and its tail past the anchor is taken as the controller's.
public enum LedgerAnchors {
    /// What the store says about its newest entries.
    public enum Stored: Sendable, Equatable {
        /// The store keeps no checkpoints (file ledgers).
        case notKept
        /// The checkpoint kept with the newest entries (nil: absent or unreadable).
        case kept(LedgerCheckpoint?)
    }

    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// The chain itself does not verify.
        case brokenLink(LedgerViolation)
        /// The chain does not contain the anchored head.
        case headMismatch(String)
        /// A checkpoint's signature does not verify (or names an unknown key).
        case badSignature(String)
        /// Entries past the anchor that nothing signs.
        case unanchored(String)

        /// `broken-link`, `head-mismatch`, `bad-signature` or `unanchored`.
        public var kind: String {
            switch self {
            case .brokenLink: return "broken-link"
            case .headMismatch: return "head-mismatch"
            case .badSignature: return "bad-signature"
            case .unanchored: return "unanchored"
            }
        }

        public var description: String {
            switch self {
            case .brokenLink(let v): return "broken link: \(v)"
            case .headMismatch(let s): return "head mismatch: \(s)"
            case .badSignature(let s): return "bad signature: \(s)"
            case .unanchored(let s): return "unanchored: \(s)"
            }
        }
    }

    /// Every problem found, in the order chain, stored checkpoint, status anchor.
    ///
    /// - `anchor`: the head in the Evolution's status; its signature may be empty (an
    ///   unsigned controller), then only the head is compared, and with a keyring that is
    ///   itself a bad signature.
    /// - With a keyring and a store that keeps checkpoints, no anchor means "nothing is
    ///   anchored yet": every entry must then be covered by a valid stored checkpoint, so
    ///   a ledger someone made before the controller wrote one is not taken as its own.
    /// - Without a keyring, signatures are not judged and a stored checkpoint vouches for
    ///   nothing (the caller says what was not checked).
    public static func check(_ entries: [LedgerEntry], evolution: EvolutionRef, anchor: LedgerCheckpoint?,
                             stored kept: Stored, keyring: LedgerKeyring?) -> [Problem] {
        var problems: [Problem] = []
        if let violation = LedgerVerifier.verify(entries, evolution: evolution).violation { problems.append(.brokenLink(violation)) }
        let head = entries.last?.asHead
        let count = entries.count
        var stored: LedgerCheckpoint?
        if case .kept(let checkpoint) = kept { stored = checkpoint }

        var storedVouches = false
        if let stored {
            if let problem = keyring?.problem(with: stored, of: evolution) {
                problems.append(.badSignature("the newest segment's checkpoint (seq \(stored.seq)): \(problem)"))
            } else if stored.head != head {
                problems.append(.headMismatch("the newest segment's checkpoint signs seq \(stored.seq) (\(stored.hash.hex.prefix(12))), the chain ends at \(head.map(\.description) ?? "nothing")"))
            } else {
                storedVouches = keyring != nil
            }
        }
        let keepsCheckpoints = kept != .notKept
        guard let anchor else {
            if keyring != nil, keepsCheckpoints, count > 0, !storedVouches {
                problems.append(.unanchored("entries seq 1–\(count) have no anchor in status and no valid checkpoint signs them"))
            }
            return problems
        }
        if let problem = keyring?.problem(with: anchor, of: evolution) {
            problems.append(.badSignature("the status anchor (seq \(anchor.seq)): \(problem)"))
        }
        if anchor.seq > count {
            problems.append(.headMismatch("the status anchors seq \(anchor.seq) (\(anchor.hash.hex.prefix(12))), the chain ends at seq \(count): entries \(count + 1)–\(anchor.seq) are missing"))
        } else if anchor.seq > 0, entries[anchor.seq - 1].hash != anchor.hash {
            problems.append(.headMismatch("entry seq \(anchor.seq) has hash \(entries[anchor.seq - 1].hash.hex.prefix(12)), the status anchors \(anchor.hash.hex.prefix(12)): the chain was rewritten"))
        } else if count > max(anchor.seq, 0), keepsCheckpoints, !storedVouches {
            problems.append(.unanchored("entries seq \(max(anchor.seq, 0) + 1)–\(count) follow the status anchor (seq \(anchor.seq)) and no valid checkpoint signs them"))
        }
        return problems
    }
}
