/// Where one evolution's ledger lives: a small protocol so the chain logic
/// (`Ledger`) is the same over a file, ConfigMaps or memory.
///
/// Guarantees a store must give:
/// - `load()` returns whole entries in chain order, or throws; it never returns
///   a partial entry and never repairs what it reads (a torn tail a crash left
///   behind may be cut, but only if reported).
/// - `append(_:after:)` is optimistic concurrency: it adds the entries only if the
///   store's head is still `expected`, otherwise it throws
///   `LedgerStoreError.headMoved` and writes nothing. This is what keeps two
///   appenders (replicas during a leader handover) from forking the chain; the
///   ConfigMap backend maps it onto resourceVersion preconditions and 409s.
/// - When `append` returns, the entries are durable. If it throws or the process
///   dies inside it, a prefix of the batch may have been stored — never a gap, a
///   suffix or a partial entry. The caller re-appends after reloading; ids absorb
///   the part that did land.
/// - A store checks that entries extend its head (seq and prev) before writing.
///
/// - A store that can keep a `LedgerCheckpoint` (the signed head) keeps it in the same
///   write as the entries it signs, and returns it from `checkpoint()`; one that cannot
///   ignores it (file ledgers are anchored through the Evolution's status alone).
///
/// A store does not verify hashes; `Ledger` does, with `LedgerVerifier`.
public protocol LedgerStore: Sendable {
    /// Every entry, in chain order.
    func load() async throws -> [LedgerEntry]
    /// The last entry's seq and hash, or `nil` for an empty ledger.
    func head() async throws -> LedgerHead?
    /// Appends `entries` (one batch: one write, one sync) if the head is still `expected`,
    /// with the checkpoint that signs the new head where the store can keep one.
    func append(_ entries: [LedgerEntry], after expected: LedgerHead?, checkpoint: LedgerCheckpoint?) async throws
    /// The checkpoint kept with the newest entries (as of the last load or append), if any.
    func checkpoint() async throws -> LedgerCheckpoint?
    /// Whether `append` keeps checkpoints at all.
    var keepsCheckpoints: Bool { get }
}

extension LedgerStore {
    /// Appends without a checkpoint.
    public func append(_ entries: [LedgerEntry], after expected: LedgerHead?) async throws {
        try await append(entries, after: expected, checkpoint: nil)
    }

    /// Stores that keep no checkpoints have none.
    public func checkpoint() async throws -> LedgerCheckpoint? { nil }
    public var keepsCheckpoints: Bool { false }

    /// What `LedgerAnchors` is told about this store's newest entries.
    public func storedCheckpoint() async throws -> LedgerAnchors.Stored {
        keepsCheckpoints ? .kept(try await checkpoint()) : .notKept
    }
}

/// Failures every store reports the same way.
public enum LedgerStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Someone else appended since the caller read the head; reload and retry.
    case headMoved(expected: LedgerHead?, actual: LedgerHead?)
    /// The batch does not continue the chain at the store's head (a caller bug).
    case doesNotExtendHead(reason: String)

    public var description: String {
        switch self {
        case .headMoved(let expected, let actual):
            return "the ledger's head moved (expected \(expected.map(String.init(describing:)) ?? "empty"), found \(actual.map(String.init(describing:)) ?? "empty")); reload and retry"
        case .doesNotExtendHead(let reason):
            return "the entries do not extend the ledger's head: \(reason)"
        }
    }
}

extension LedgerStoreError {
    /// Checks that `entries` continue a chain whose head is `head`.
    static func checkExtends(_ head: LedgerHead?, with entries: [LedgerEntry], evolution: EvolutionRef?) throws(LedgerStoreError) {
        var seq = head?.seq ?? 0
        var hash = head?.hash ?? .zero
        for entry in entries {
            if entry.seq != seq + 1 {
                throw .doesNotExtendHead(reason: "entry \(entry.id) has seq \(entry.seq), expected \(seq + 1)")
            }
            if entry.prev != hash {
                throw .doesNotExtendHead(reason: "entry \(entry.id) (seq \(entry.seq)) has prev \(entry.prev), expected \(hash)")
            }
            if let evolution, entry.evolution != evolution {
                throw .doesNotExtendHead(reason: "entry \(entry.id) belongs to \(entry.evolution), not \(evolution)")
            }
            seq = entry.seq
            hash = entry.hash
        }
    }
}
