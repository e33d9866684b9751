import Synchronization

/// A `LedgerStore` in memory, for tests and embedding; shared by reference.
///
/// It can inject the failures a real backend has, so `Ledger`'s exactly-once
/// guarantees are testable without a disk or a cluster: `failNextAppend(afterStoring:)`
/// stores a prefix of the next batch and then throws, as a crash or a lost
/// response between "written" and "acknowledged" would.
public final class MemoryLedgerStore: LedgerStore {
    struct State {
        var entries: [LedgerEntry] = []
        var appendCalls = 0
        var pendingFailure: (keep: Int, error: any Error)?
    }

    private let state: Mutex<State>

    public init(entries: [LedgerEntry] = []) {
        state = Mutex(State(entries: entries))
    }

    /// The error an injected failure throws unless told otherwise.
    public struct InjectedFailure: Error, Sendable { public init() {} }

    public func load() async throws -> [LedgerEntry] { entries }

    public func head() async throws -> LedgerHead? { state.withLock { $0.entries.last?.asHead } }

    public func append(_ entries: [LedgerEntry], after expected: LedgerHead?, checkpoint: LedgerCheckpoint?) async throws {
        try state.withLock { state throws in
            state.appendCalls += 1
            let actual = state.entries.last?.asHead
            guard actual == expected else { throw LedgerStoreError.headMoved(expected: expected, actual: actual) }
            try LedgerStoreError.checkExtends(actual, with: entries, evolution: state.entries.first?.evolution)
            if let failure = state.pendingFailure {
                state.pendingFailure = nil
                state.entries.append(contentsOf: entries.prefix(failure.keep))
                throw failure.error
            }
            state.entries.append(contentsOf: entries)
        }
    }

    /// A snapshot of what is stored.
    public var entries: [LedgerEntry] { state.withLock { $0.entries } }

    /// How many times `append` was called (successful or not): one per batch.
    public var appendCalls: Int { state.withLock { $0.appendCalls } }

    /// Makes the next append store only its first `keep` entries and then throw `error`.
    public func failNextAppend(afterStoring keep: Int, error: any Error = InjectedFailure()) {
        state.withLock { $0.pendingFailure = (keep, error) }
    }

    /// Replaces the stored entries wholesale (tamper tests).
    public func replaceEntries(_ entries: [LedgerEntry]) {
        state.withLock { $0.entries = entries }
    }
}
