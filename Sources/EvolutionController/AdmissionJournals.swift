import EvolutionAdmission
import EvolutionAPI
import EvolutionEngine
import KubeClient
import KubeJSON
import KubeSemantics
import Synchronization

/// The admission journals (`AdmissionJournal`) the engine names people from, read through an
/// Evolution's connection (as its account: a journal it may not read names nobody) only when an
/// object it owns has departed, and again only when an object departs at a version the last
/// read did not cover. Entries whose MAC the stamp key does not verify are dropped.
final class AdmissionJournals: Sendable {
    private struct Key: Hashable {
        var connection: String
        var namespace: String
    }
    /// The last read per connection and namespace, and the newest object version it covers:
    /// the webhook records a write before the write lands, so a read after seeing version V holds every write up to V.
    private let cache = Mutex<[Key: (covers: String, read: JournalRead)]>([:])
    private let stampKey: StampKey?

    init(stampKey: StampKey?) { self.stampKey = stampKey }

    /// The journal of `namespace` as of `version` (the newest departed object's there).
    func read(namespace: String, target: String, through connection: TargetConnection, covering version: String) async -> JournalRead? {
        guard let stampKey else { return nil }
        let key = Key(connection: connection.key, namespace: namespace)
        if let known = cache.withLock({ $0[key] }), !ResourceVersion.isOlder(known.covers, than: version) { return known.read }
        let read: JournalRead
        let where_ = "ConfigMap \(namespace)/\(AdmissionJournal.configMapName) on \(target)"
        do {
            let map = try await connection.client.get(.configMaps, name: AdmissionJournal.configMapName, namespace: namespace)
            let text = map[path: "data", AdmissionJournal.dataKey]?.stringValue ?? ""
            read = .entries(AdmissionJournal.decode(text).entries.filter { stampKey.verifies($0) })
        } catch {
            switch error.statusCode {
            case 404:
                read = .unavailable("no admission journal (\(where_)): no write by anyone else to a governed object there was recorded; is Causeway's admission webhook installed (Deploy/overlays/webhook)?")
            case 403:
                read = .unavailable("cannot read the admission journal (\(where_)): forbidden; grant the Evolution's account get on configmaps there")
            default:
                // Not a verdict: asked again on the next departure check.
                return .unavailable("cannot read the admission journal (\(where_)) now: \(TargetClients.text(error))")
            }
        }
        cache.withLock { $0[key] = (version, read) }
        return read
    }

    /// Reads kept, for tests.
    var keptReads: Int { cache.withLock { $0.count } }
}
