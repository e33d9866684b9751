/// Why the ledger refused to open or to append.
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored chain does not verify; nothing is appended to a broken chain.
    case invalidChain(LedgerViolation)
    /// A draft that cannot be recorded (empty id, time outside years 0000–9999, negative generation).
    case invalidDraft(id: String, reason: String)
    /// Other appenders kept moving the head; gave up after this many attempts.
    case contention(attempts: Int)
    /// An entry this ledger saw recorded is no longer in the store (it was rewritten underneath).
    case recordedEntryMissing(id: String)
    /// The stored chain no longer matches its anchors (see `LedgerAnchors`).
    case tampered([LedgerAnchors.Problem])

    public var description: String {
        switch self {
        case .invalidChain(let v): return "the ledger does not verify: \(v)"
        case .invalidDraft(let id, let reason): return "cannot record entry \"\(id)\": \(reason)"
        case .contention(let attempts): return "gave up appending after \(attempts) attempts: other appenders kept moving the head"
        case .recordedEntryMissing(let id):
            return "entry \"\(id)\" was recorded but the store no longer holds it; verify the ledger (causeway ledger verify)"
        case .tampered(let problems):
            return "the ledger was changed outside the controller (" + problems.map(\.description).joined(separator: "; ")
                + "); nothing more is appended to it until it is restored: causeway ledger verify names what changed"
        }
    }
}
