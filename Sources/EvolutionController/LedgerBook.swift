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
    }
    private let open = Mutex<[String: Opened]>([:])
    /// Which ledger (uid) each Evolution key opened, so it can be closed when the Evolution is gone.
    private let uids = Mutex<[ControllerRuntime.ObjectKey: String]>([:])

    init(backend: LedgerBackend, client: KubeClient, actor: String, signer: LedgerSigner? = nil, keyring: LedgerKeyring? = nil,
         refreshKeyring: (@Sendable () async throws -> LedgerKeyring)? = nil) {
        self.backend = backend
        self.client = client
        self.actor = actor
        self.signer = signer
        self.keyring = Mutex(keyring)
        self.refreshKeyring = refreshKeyring
    }

    private func opened(for evolution: JSON) async throws -> Opened {
        let ref = EvolutionRef(namespace: evolution[path: "metadata", "namespace"]?.stringValue ?? "default",
                               name: evolution[path: "metadata", "name"]?.stringValue ?? "",
                               uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        if let opened = open.withLock({ $0[ref.uid] }) { return opened }
        // Reconciles of one Evolution never run at once, so only one opener reaches here per uid.
        let anchor = EvolutionStatus(json: evolution["status"]).ledger?.checkpoint
        let keyring = self.keyring.withLock { $0 }
        var opened: Opened
        switch backend {
        case .directory(let directory):
            let store = try FileLedgerStore(directory: directory, evolution: ref)
            opened = Opened(ledger: try await Ledger(evolution: ref, store: store, signer: signer, anchor: anchor, keyring: keyring), file: store)
        case .configMaps:
            let store = ConfigMapLedgerStore(client: client, evolution: ref)
            opened = Opened(ledger: try await Ledger(evolution: ref, store: store, signer: signer, anchor: anchor, keyring: keyring),
                            configMaps: store)
        }
        open.withLock { $0[ref.uid] = opened }
        uids.withLock { $0[ControllerRuntime.ObjectKey(namespace: ref.namespace, name: ref.name)] = ref.uid }
        return opened
    }

    /// Open ledgers, for tests.
    var openCount: Int { open.withLock { $0.count } }

    /// The Evolution is gone: its ledger is closed (its file lock released); the record stays.
    func release(_ evolution: ControllerRuntime.ObjectKey) {
        guard let uid = uids.withLock({ $0.removeValue(forKey: evolution) }) else { return }
        open.withLock { $0.removeValue(forKey: uid) }?.file?.close()
    }

    /// Releases every ledger's file lock (on shutdown).
    func closeAll() {
        let stores = open.withLock { table in
            defer { table.removeAll() }
            return table.values.compactMap(\.file)
        }
        for store in stores { store.close() }
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
            _ = open.withLock { $0.removeValue(forKey: uid) }
            return try await recordOnce(records, for: evolution)
        }
    }

    private static func namesAnUnknownKey(_ problem: LedgerAnchors.Problem) -> Bool {
        if case .badSignature(let text) = problem { return text.contains("not among the controller's keys") }
        return false
    }

    private func recordOnce(_ records: [LedgerRecord], for evolution: JSON) async throws -> LedgerSummary? {
        let opened = try await opened(for: evolution)
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
