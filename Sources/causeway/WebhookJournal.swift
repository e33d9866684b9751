import EvolutionAPI
import KubeClient
import KubeJSON

/// Appends `JournalEntry`s to the admission journal of each namespace (`AdmissionJournal`):
/// writes that arrive while one is being stored go together in the next, and each store is a
/// compare-and-swap on the ConfigMap's resourceVersion, so webhook replicas never lose each
/// other's entries. An admission waits for its entry to be stored: a journal that lags the write
/// it records would name nobody when the controller reads it after seeing the write.
actor WebhookJournal {
    private let client: KubeClient
    private var waiting: [String: [(entry: JournalEntry, done: CheckedContinuation<Void, Error>)]] = [:]
    private var flushing: Set<String> = []

    init(client: KubeClient) { self.client = client }

    func append(_ entry: JournalEntry) async throws {
        let namespace = AdmissionJournal.namespace(of: entry.object)
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
            waiting[namespace, default: []].append((entry, done))
            if flushing.insert(namespace).inserted { Task { await self.flush(namespace) } }
        }
    }

    private func flush(_ namespace: String) async {
        while let batch = waiting.removeValue(forKey: namespace), !batch.isEmpty {
            let result: Result<Void, Error>
            do { try await Self.store(batch.map(\.entry), namespace: namespace, client: client); result = .success(()) } catch { result = .failure(error) }
            for item in batch { item.done.resume(with: result) }
        }
        flushing.remove(namespace)
    }

    private static func store(_ entries: [JournalEntry], namespace: String, client: KubeClient) async throws {
        let name = AdmissionJournal.configMapName
        var lastError: KubeClientError?
        for _ in 0..<8 {
            do {
                let current = try await client.get(.configMaps, name: name, namespace: namespace)
                var next = current
                next["data"] = [.init(stringLiteral: AdmissionJournal.dataKey): .string(
                    AdmissionJournal.appending(entries, to: current[path: "data", AdmissionJournal.dataKey]?.stringValue ?? ""))]
                _ = try await client.update(.configMaps, next, namespace: namespace)
                return
            } catch {
                lastError = error
                guard error.statusCode == 404 || error.statusCode == 409 else { throw error }
                guard error.statusCode == 404 else { continue }  // another replica stored first: read again
            }
            do {
                _ = try await client.create(.configMaps, [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": [.init(stringLiteral: AdmissionJournal.label): "true"]],
                    "data": [.init(stringLiteral: AdmissionJournal.dataKey): .string(AdmissionJournal.appending(entries, to: ""))],
                ], namespace: namespace)
                return
            } catch {
                lastError = error
                guard error.statusCode == 409 else { throw error }
            }
        }
        throw lastError ?? .cancelled
    }
}
