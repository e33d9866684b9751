import KubeJSON

/// One record in an evolution's ledger.
///
/// Entries are immutable once written: `seq`, `prev` and `hash` chain each entry
/// to the one before, so editing, removing, inserting or reordering any of them
/// is detectable (see `LedgerVerifier`). The ledger assigns `seq`, `prev`, `hash`
/// and `version`; the caller supplies the rest through an `EntryDraft`.
/// The canonical encoding that `hash` covers is defined on `canonicalBytes()`.
public struct LedgerEntry: Sendable, Hashable {
    /// The entry format this build writes. A reader accepts any version: fields it
    /// does not know are kept in `extensions` and still covered by the hash.
    public static let currentVersion = 1

    public var version: Int
    /// Position in the chain: 1 for the first entry, then consecutive.
    public var seq: Int
    /// When the entry was recorded (or when the event happened, if the draft said so).
    public var at: LedgerTime
    public var evolution: EvolutionRef
    /// The Evolution's `metadata.generation` the entry was written under.
    public var generation: Int
    public var event: LedgerEvent
    public var step: String?
    public var target: String?
    /// The controller's identity, or the user or field manager who acted.
    public var actor: String
    /// Event-specific facts; shapes for the events the queries read are documented on
    /// `DeclaredSequence`, `StepActivity` and `AppliedChange`.
    public var detail: JSONObject
    /// The deterministic idempotency key: appending an id already present is absorbed.
    public var id: String
    /// The previous entry's `hash`; `LedgerHash.zero` for the first entry.
    public var prev: LedgerHash
    /// SHA-256 of `canonicalBytes()`.
    public var hash: LedgerHash
    /// Top-level fields written by a newer format version, kept verbatim so the entry
    /// still verifies and round-trips. Empty for version 1 entries.
    public var extensions: JSONObject

    public init(version: Int = LedgerEntry.currentVersion, seq: Int, at: LedgerTime, evolution: EvolutionRef,
                generation: Int, event: LedgerEvent, step: String?, target: String?, actor: String,
                detail: JSONObject, id: String, prev: LedgerHash, hash: LedgerHash = .zero,
                extensions: JSONObject = JSONObject()) {
        self.version = version
        self.seq = seq
        self.at = at
        self.evolution = evolution
        self.generation = generation
        self.event = event
        self.step = step
        self.target = target
        self.actor = actor
        self.detail = detail
        self.id = id
        self.prev = prev
        self.hash = hash
        self.extensions = extensions
    }

    /// This entry's position after `seq` and `hash` are taken as the chain's head.
    public var asHead: LedgerHead { LedgerHead(seq: seq, hash: hash) }
}

/// What a caller asks the ledger to record; the ledger adds seq, prev, hash and version.
public struct EntryDraft: Sendable, Hashable {
    /// The deterministic idempotency key. Derive it from what the entry is about
    /// (e.g. `"\(generation)/StepStarted/\(step)/\(target)"`), never from a clock or
    /// a random source, so that a replay after a crash produces the same id.
    public var id: String
    public var event: LedgerEvent
    public var generation: Int
    public var step: String?
    public var target: String?
    public var actor: String
    public var detail: JSONObject
    /// When the event happened; `nil` lets the ledger stamp it with its clock.
    public var at: LedgerTime?

    public init(id: String, event: LedgerEvent, generation: Int, step: String? = nil, target: String? = nil,
                actor: String, detail: JSONObject = JSONObject(), at: LedgerTime? = nil) {
        self.id = id
        self.event = event
        self.generation = generation
        self.step = step
        self.target = target
        self.actor = actor
        self.detail = detail
        self.at = at
    }
}

/// The last entry of a chain: what an append must extend.
public struct LedgerHead: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int
    public var hash: LedgerHash

    public init(seq: Int, hash: LedgerHash) {
        self.seq = seq
        self.hash = hash
    }

    public var description: String { "seq \(seq) (\(hash.hex.prefix(12)))" }
}
