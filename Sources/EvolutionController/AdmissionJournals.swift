import EvolutionAdmission
import EvolutionAPI
import EvolutionEngine
import KubeClient
import KubeJSON

/// The admission journals (`AdmissionJournal`) the engine names people from, read through an
/// Evolution's connection (as its account: a journal it may not read names nobody) only while an
/// object it owns departs in a way not yet recorded: once when the departure is seen, and again
/// while the engine waits for the entry the webhook stores behind its answer (at most 2 s).
/// Entries whose MAC the stamp key does not verify are dropped.
struct AdmissionJournals: Sendable {
    /// Verifies the entries; nil: journals are not read (the webhook is not installed).
    let stampKey: StampKey?
    var enabled: Bool { stampKey != nil }

    /// The journal of `namespace` on `target` as it is now; nil when journals are not read.
    func read(namespace: String, target: String, through connection: TargetConnection) async -> JournalRead? {
        guard let stampKey else { return nil }
        let location = "ConfigMap \(namespace)/\(AdmissionJournal.configMapName) on \(target)"
        do {
            let map = try await connection.client.get(.configMaps, name: AdmissionJournal.configMapName, namespace: namespace)
            let text = map[path: "data", AdmissionJournal.dataKey]?.stringValue ?? ""
            return .entries(AdmissionJournal.decode(text).entries.filter { stampKey.verifies($0) })
        } catch {
            switch error.statusCode {
            case 404:
                // The webhook makes it with the first entry, behind that write's answer: maybe on its way.
                return .entries([])
            case 403:
                return .unavailable("cannot read the admission journal (\(location)): forbidden; grant the Evolution's account get on configmaps there")
            default:
                return .unavailable("cannot read the admission journal (\(location)): \(TargetClients.text(error))")
            }
        }
    }
}
