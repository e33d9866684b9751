import EvolutionAPI
import KubeClient
import KubeJSON
import Logging

/// Appends `JournalEntry`s to the admission journal of each namespace (`AdmissionJournal`),
/// behind the admission answers: an admission never waits for the API server (a write there
/// takes longer than an admission may). Entries that arrive while one store is under way go
/// together in the next, and each store is a compare-and-swap on the ConfigMap's
/// resourceVersion, so webhook replicas never lose each other's entries. The controller allows
/// for the lag (`Tick.journalGrace`): it waits briefly for the entry of a departure it sees.
/// Entries not yet stored when the process ends are lost; a store that fails is logged.
public actor WebhookJournal {
    private let client: KubeClient
    private let logger: Logger
    private var waiting: [String: [JournalEntry]] = [:]
    private var flushing = false
    private var idle: [CheckedContinuation<Void, Never>] = []

    public init(client: KubeClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func append(_ entry: JournalEntry) {
        waiting[AdmissionJournal.namespace(of: entry.object), default: []].append(entry)
        guard !flushing else { return }
        flushing = true
        Task { await self.flush() }
    }

    /// Returns once everything appended so far is stored (or failed), for shutdown and benchmarks.
    public func drained() async {
        guard flushing else { return }
        await withCheckedContinuation { idle.append($0) }
    }

    /// How long entries gather before a store: each store rewrites a namespace's ring, so fewer,
    /// larger batches cost the API server (and the webhook) less; the controller waits up to 2 s.
    public static let gathering = Duration.milliseconds(250)

    /// One store at a time, namespace after namespace: the work comes in an even trickle, not a
    /// burst that would hold up the admissions answered meanwhile.
    private func flush() async {
        while !waiting.isEmpty {
            try? await Task.sleep(for: Self.gathering)
            let batches = waiting
            waiting = [:]
            for (namespace, batch) in batches.sorted(by: { $0.key < $1.key }) {
                do { try await Self.store(batch, namespace: namespace, client: client) } catch {
                    logger.error("cannot store admission journal entries; the writes they record went through unrecorded",
                                 metadata: ["namespace": .string(namespace), "entries": .stringConvertible(batch.count), "error": .string("\(error)")])
                }
            }
        }
        flushing = false
        for waiter in idle { waiter.resume() }
        idle = []
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
