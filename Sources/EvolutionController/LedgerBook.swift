import ControllerRuntime
import EvolutionAPI
import struct EvolutionEngine.LedgerRecord
import Foundation
import KubeClient
import KubeJSON
import Ledger
import Synchronization

/// Where ledgers are kept.
public enum LedgerBackend: Sendable, Equatable {
    /// JSON-lines files under a directory (the default for local and embedded runs).
    case directory(String)
    /// ConfigMap segments beside each Evolution, on the controller's own cluster (the in-cluster default).
    case configMaps
}

/// One ledger per Evolution, opened on first use: checked against the anchor in
/// the Evolution's status (a chain someone else rewrote is not extended), and
/// signing every batch's head when the controller has a key.
final class LedgerBook: Sendable {
    let backend: LedgerBackend
    let client: KubeClient
    let actor: String
    let signer: LedgerSigner?
    /// Where to read the keys again when a checkpoint names one this book does not know
    /// (another replica made a new key after this one started).
    let refreshKeyring: (@Sendable () async throws -> LedgerKeyring)?
    private let keyring: Mutex<LedgerKeyring?>
    private struct Opened {
        var ledger: Ledger
        var file: FileLedgerStore?
        var configMaps: ConfigMapLedgerStore?
        var key: ControllerRuntime.ObjectKey
        /// Appends using it now: it is not closed under them.
        var users = 0

        func close() { file?.close() }
    }
    private struct State {
        var open: [String: Opened] = [:]
        /// Which ledger (uid) each Evolution key opened, so it can be closed when the Evolution is gone.
        var uids: [ControllerRuntime.ObjectKey: String] = [:]
    }
    private let state = Mutex(State())
    /// How many ledgers stay open (a file ledger holds two descriptors and its lock). Beyond
    /// that an idle one, picked at random, is closed and opened again when next needed:
    /// at random, since Evolutions in flight are reconciled round the queue, the access
    /// pattern under which closing the least recently used would miss every time.
    let maxOpen: Int

    /// Half the descriptors this process may open, less a thousand for sockets and the rest.
    static var defaultMaxOpen: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < UInt64(Int32.max) else { return 4096 }
        return max(64, (Int(clamping: limit.rlim_cur) - 1024) / 2)
    }

    init(backend: LedgerBackend, client: KubeClient, actor: String, signer: LedgerSigner? = nil, keyring: LedgerKeyring? = nil,
         refreshKeyring: (@Sendable () async throws -> LedgerKeyring)? = nil, maxOpen: Int = LedgerBook.defaultMaxOpen) {
        self.maxOpen = maxOpen
        self.backend = backend
        self.client = client
        self.actor = actor
        self.signer = signer
        self.keyring = Mutex(keyring)
        self.refreshKeyring = refreshKeyring
    }

    /// The Evolution's ledger, opened if it is not, and marked in use until `done(with:)`.
    private func opened(for evolution: JSON) async throws -> Opened {
        let ref = EvolutionRef(namespace: evolution[path: "metadata", "namespace"]?.stringValue ?? "default",
                               name: evolution[path: "metadata", "name"]?.stringValue ?? "",
                               uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        if let opened = state.withLock({ state in Self.use(ref.uid, in: &state) }) { return opened }
        // Reconciles of one Evolution never run at once, so only one opener reaches here per uid.
        let anchor = EvolutionStatus(json: evolution["status"]).ledger?.checkpoint
        let keyring = self.keyring.withLock { $0 }
        let key = ControllerRuntime.ObjectKey(namespace: ref.namespace, name: ref.name)
        var opened: Opened
        switch backend {
        case .directory(let directory):
            let store = try FileLedgerStore(directory: directory, evolution: ref)
            do {
                opened = Opened(ledger: try await Ledger(evolution: ref, store: store, signer: signer, anchor: anchor, keyring: keyring),
                                file: store, key: key)
            } catch {
                store.close()
                throw error
            }
        case .configMaps:
            let store = ConfigMapLedgerStore(client: client, evolution: ref)
            opened = Opened(ledger: try await Ledger(evolution: ref, store: store, signer: signer, anchor: anchor, keyring: keyring),
                            configMaps: store, key: key)
        }
        let evicted: [Opened] = state.withLock { state in
            state.open[ref.uid] = opened
            state.uids[key] = ref.uid
            _ = Self.use(ref.uid, in: &state)
            var evicted: [Opened] = []
            // Over the limit: close idle ledgers (no append is using them), picked at random.
            while state.open.count > maxOpen, let (uid, old) = state.open.lazy.filter({ $0.value.users == 0 }).randomElement() {
                state.open[uid] = nil
                if state.uids[old.key] == uid { state.uids[old.key] = nil }
                evicted.append(old)
            }
            return evicted
        }
        for old in evicted { old.close() }
        return opened
    }

    private static func use(_ uid: String, in state: inout State) -> Opened? {
        guard state.open[uid] != nil else { return nil }
        state.open[uid]?.users += 1
        return state.open[uid]
    }

    private func done(with uid: String) {
        state.withLock { $0.open[uid]?.users -= 1 }
    }

    /// Open ledgers, for tests.
    var openCount: Int { state.withLock { $0.open.count } }

    /// The Evolution is gone, or converged and idle: its ledger is closed (its file lock
    /// released) until it is next written; the record stays.
    func release(_ evolution: ControllerRuntime.ObjectKey) {
        state.withLock { state in state.uids.removeValue(forKey: evolution).flatMap { state.open.removeValue(forKey: $0) } }?.close()
    }

    /// Releases every ledger's file lock (on shutdown).
    func closeAll() {
        let all = state.withLock { state in
            defer { state = State() }
            return Array(state.open.values)
        }
        for opened in all { opened.close() }
    }

    /// Appends the engine's records as one batch (ids the ledger holds already are
    /// absorbed) and returns the new anchor for status, when the controller signs. A
    /// checkpoint signed with a key this book does not know yet makes it read the keys
    /// again and reopen the ledger, once.
    func record(_ records: [LedgerRecord], for evolution: JSON) async throws -> LedgerSummary? {
        do {
            return try await recordOnce(records, for: evolution)
        } catch LedgerError.tampered(let problems) where refreshKeyring != nil && problems.contains(where: Self.namesAnUnknownKey) {
            let fresh = try await refreshKeyring!()
            keyring.withLock { $0 = fresh }
            let uid = evolution[path: "metadata", "uid"]?.stringValue ?? ""
            state.withLock { $0.open.removeValue(forKey: uid) }?.close()
            return try await recordOnce(records, for: evolution)
        }
    }

    private static func namesAnUnknownKey(_ problem: LedgerAnchors.Problem) -> Bool {
        if case .badSignature(let text) = problem { return text.contains("not among the controller's keys") }
        return false
    }

    private func recordOnce(_ records: [LedgerRecord], for evolution: JSON) async throws -> LedgerSummary? {
        let opened = try await opened(for: evolution)
        defer { done(with: opened.ledger.evolution.uid) }
        let drafts = records.map { r in
            EntryDraft(id: r.id, event: r.event, generation: Int(r.generation),
                       step: r.step, target: r.target, actor: r.actor ?? actor, detail: r.detail.objectValue ?? JSONObject())
        }
        _ = try await opened.ledger.append(drafts)
        guard let head = try await opened.ledger.signedHead() else { return nil }
        let segment = opened.configMaps?.newestSegment ?? opened.file.map { FileLedgerStore.fileName(for: $0.evolution) }
        return LedgerSummary(checkpoint: head, backend: backend, segment: segment)
    }
}
