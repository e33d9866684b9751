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

/// One ledger per Evolution, opened on first use.
final class LedgerBook: Sendable {
    let backend: LedgerBackend
    let client: KubeClient
    private let open = Mutex<[String: (ledger: Ledger, file: FileLedgerStore?)]>([:])
    let actor: String

    init(backend: LedgerBackend, client: KubeClient, actor: String) {
        self.backend = backend
        self.client = client
        self.actor = actor
    }

    func ledger(for evolution: JSON) async throws -> Ledger {
        let ref = EvolutionRef(namespace: evolution[path: "metadata", "namespace"]?.stringValue ?? "default",
                               name: evolution[path: "metadata", "name"]?.stringValue ?? "",
                               uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        if let opened = open.withLock({ $0[ref.uid] }) { return opened.ledger }
        // Reconciles of one Evolution never run at once, so only one opener reaches here per uid.
        let ledger: Ledger
        var file: FileLedgerStore?
        switch backend {
        case .directory(let directory):
            let store = try FileLedgerStore(directory: directory, evolution: ref)
            file = store
            ledger = try await Ledger(evolution: ref, store: store)
        case .configMaps:
            ledger = try await Ledger(evolution: ref, store: ConfigMapLedgerStore(client: client, evolution: ref))
        }
        open.withLock { $0[ref.uid] = (ledger, file) }
        return ledger
    }

    /// Releases every ledger's file lock (on shutdown).
    func closeAll() {
        let stores = open.withLock { table in
            defer { table.removeAll() }
            return table.values.compactMap(\.file)
        }
        for store in stores { store.close() }
    }

    /// Appends the engine's records as one batch; ids the ledger holds already are absorbed.
    func record(_ records: [LedgerRecord], for evolution: JSON) async throws {
        let ledger = try await ledger(for: evolution)
        let drafts = records.map { r in
            EntryDraft(id: r.id, event: LedgerEvent(rawValue: r.event.rawValue), generation: Int(r.generation),
                       step: r.step, target: r.target, actor: r.actor ?? actor, detail: r.detail.objectValue ?? JSONObject())
        }
        _ = try await ledger.append(drafts)
    }
}
