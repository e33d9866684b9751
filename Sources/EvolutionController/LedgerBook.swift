import struct EvolutionEngine.LedgerRecord
import Foundation
import KubeJSON
import Ledger
import Synchronization

/// One ledger per Evolution, opened on first use, file-backed under a directory
/// (the default for local and embedded runs).
final class LedgerBook: Sendable {
    let directory: String
    private let open = Mutex<[String: (ledger: Ledger, store: FileLedgerStore)]>([:])
    let actor: String

    init(directory: String, actor: String) {
        self.directory = directory
        self.actor = actor
    }

    func ledger(for evolution: JSON) async throws -> Ledger {
        let ref = EvolutionRef(namespace: evolution[path: "metadata", "namespace"]?.stringValue ?? "default",
                               name: evolution[path: "metadata", "name"]?.stringValue ?? "",
                               uid: evolution[path: "metadata", "uid"]?.stringValue ?? "")
        if let opened = open.withLock({ $0[ref.uid] }) { return opened.ledger }
        // Reconciles of one Evolution never run at once, so only one opener reaches here per uid.
        let store = try FileLedgerStore(directory: directory, evolution: ref)
        let ledger = try await Ledger(evolution: ref, store: store)
        open.withLock { $0[ref.uid] = (ledger, store) }
        return ledger
    }

    /// Releases every ledger's file lock (on shutdown).
    func closeAll() {
        let stores = open.withLock { table in
            defer { table.removeAll() }
            return table.values.map(\.store)
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
