import KubeClient
import KubeJSON
import Synchronization

/// One evolution's ledger as a run of ConfigMaps ("segments") in its namespace.
///
/// Layout: segment `i` is `causeway-ledger-<name>-<uid prefix>-<i, six digits>`
/// (`segmentName(_:)`), labelled `causeway.dev/ledger=true`,
/// `causeway.dev/evolution=<name>` (names up to 63 characters) and
/// `causeway.dev/evolution-uid=<uid>` (the full name is also in the
/// `causeway.dev/evolution-name` annotation); it holds its entries as JSON lines under
/// `entries.jsonl` and its index, first seq and head in annotations.
///
/// Guarantees:
/// - One API write per batch: an `update` of the newest segment, conditional on its
///   resourceVersion, or the `create` of the next segment.
/// - No forks: a segment takes appends while it is smaller than the `rollAtBytes` it
///   was created with (kept in its annotations) and is frozen once it reaches it, so
///   every appender, however configured, agrees whether a batch updates the
///   newest segment or creates the next; both writes are conditional (409 on a stale
///   resourceVersion, AlreadyExists on a segment someone else created). A lost race
///   reloads the newest segment and surfaces `LedgerStoreError.headMoved`.
/// - A failed write is treated as unknown (it may have landed): the store re-reads
///   the newest segment; if it ends with the batch, the append succeeded; if the head
///   is unchanged, it retries (up to `writeAttempts`); otherwise `headMoved`.
/// - Segments outlive the Evolution unless `retention` is `.deleteWithEvolution`,
///   which adds an ownerReference to it.
/// - Loading never repairs: a corrupt, foreign, misnamed or missing segment is a
///   `ConfigMapLedgerError` naming the ConfigMap (and line).
public final class ConfigMapLedgerStore: LedgerStore {
    public enum Retention: Sendable, Equatable {
        /// Segments survive deletion of the Evolution (the default: audit outlives the resource).
        case outliveEvolution
        /// Segments are owned by the Evolution and garbage-collected with it.
        case deleteWithEvolution
    }

    public struct Options: Sendable {
        /// A segment stops taking appends once its text reaches this size.
        public var rollAtBytes: Int
        /// No segment's text may exceed this (ConfigMaps are capped at 1 MiB in all).
        public var maxSegmentBytes: Int
        public var retention: Retention
        /// The Evolution's apiVersion and kind, for the ownerReference.
        public var evolutionAPIVersion: String
        public var evolutionKind: String
        /// Writes tried per append when they fail in an unknown state (5xx, 429, lost connection).
        public var writeAttempts: Int
        /// The pause after the n-th failed write is n times this.
        public var retryDelay: Duration

        public init(rollAtBytes: Int = 700_000, maxSegmentBytes: Int = 950_000, retention: Retention = .outliveEvolution,
                    evolutionAPIVersion: String = "causeway.dev/v1alpha1", evolutionKind: String = "Evolution",
                    writeAttempts: Int = 6, retryDelay: Duration = .milliseconds(50)) {
            self.rollAtBytes = rollAtBytes
            self.maxSegmentBytes = maxSegmentBytes
            self.retention = retention
            self.evolutionAPIVersion = evolutionAPIVersion
            self.evolutionKind = evolutionKind
            self.writeAttempts = writeAttempts
            self.retryDelay = retryDelay
        }
    }

    public static let dataKey = "entries.jsonl"
    public static let ledgerLabel = "causeway.dev/ledger"
    public static let evolutionLabel = "causeway.dev/evolution"
    public static let evolutionUIDLabel = "causeway.dev/evolution-uid"
    /// The Evolution's full name (labels hold at most 63 characters).
    public static let evolutionNameAnnotation = "causeway.dev/evolution-name"
    public static let segmentAnnotation = "causeway.dev/ledger-segment"
    public static let firstSeqAnnotation = "causeway.dev/ledger-first-seq"
    public static let headSeqAnnotation = "causeway.dev/ledger-head-seq"
    public static let headHashAnnotation = "causeway.dev/ledger-head-hash"
    /// The size at which the segment stops taking appends, fixed when it is created.
    public static let rollAtAnnotation = "causeway.dev/ledger-roll-at"
    /// The signed head (`LedgerCheckpoint` as JSON), written with the entries it signs.
    public static let checkpointAnnotation = "causeway.dev/ledger-checkpoint"

    /// The newest segment as last read or written.
    struct Tail: Sendable {
        var index: Int
        var object: JSON
        var text: [UInt8]
        var firstSeq: Int
        var head: LedgerHead
        /// From the segment, not from `options`: appenders configured differently still agree.
        var rollAt: Int
        /// The signed head kept with the entries; nil when absent or unreadable.
        var checkpoint: LedgerCheckpoint?
        var name: String { object[path: "metadata", "name"]?.stringValue ?? "" }
    }

    enum TailState: Sendable {
        case unknown
        case empty
        case at(Tail)
    }

    public let evolution: EvolutionRef
    public let client: KubeClient
    public let options: Options
    private let tail = Mutex<TailState>(.unknown)

    public init(client: KubeClient, evolution: EvolutionRef, options: Options = Options()) {
        self.client = client
        self.evolution = evolution
        self.options = options
    }

    /// The label selector that finds this evolution's segments.
    public var labelSelector: String { "\(Self.ledgerLabel)=true,\(Self.evolutionUIDLabel)=\(evolution.uid)" }

    /// `causeway-ledger-<name>-<uid prefix>-<index, six digits>`.
    public func segmentName(_ index: Int) -> String {
        var name = String(evolution.name.prefix(200))
        while let last = name.last, last == "-" || last == "." { name.removeLast() }
        let uid = String(evolution.uid.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(8))
        let digits = String(index)
        return "causeway-ledger-\(name)-\(uid)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    // MARK: LedgerStore

    public func load() async throws -> [LedgerEntry] {
        let list: ObjectList
        do throws(KubeClientError) {
            list = try await client.listAll(.configMaps, namespace: evolution.namespace,
                                            options: ListOptions(labelSelector: labelSelector))
        } catch {
            throw ConfigMapLedgerError.api(operation: "listing", configMap: "\(evolution.namespace)/[\(labelSelector)]", error: error)
        }
        var indexed: [(index: Int, object: JSON)] = []
        for item in list.items { indexed.append((try segmentIndex(of: item), item)) }
        indexed.sort { $0.index < $1.index }
        var entries: [LedgerEntry] = []
        var newest: Tail?
        for (position, segment) in indexed.enumerated() {
            if segment.index != position {
                throw ConfigMapLedgerError.missingSegment(namespace: evolution.namespace, configMap: segmentName(position), index: position)
            }
            let parsed = try parseSegment(segment.object, index: segment.index)
            let expectedSeq = (entries.last?.seq ?? 0) + 1
            if parsed.entries[0].seq != expectedSeq {
                throw ConfigMapLedgerError.corruptSegment(namespace: evolution.namespace, configMap: parsed.tail.name,
                                                          reason: "starts at seq \(parsed.entries[0].seq), expected \(expectedSeq)")
            }
            entries += parsed.entries
            newest = parsed.tail
        }
        tail.withLock { $0 = newest.map(TailState.at) ?? .empty }
        return entries
    }

    public func head() async throws -> LedgerHead? { try await refreshTail()?.head }

    /// The name of the newest segment as last read or written (no request).
    public var newestSegment: String? {
        if case .at(let t) = tail.withLock({ $0 }) { return t.name }
        return nil
    }

    public var keepsCheckpoints: Bool { true }

    public func checkpoint() async throws -> LedgerCheckpoint? {
        switch tail.withLock({ $0 }) {
        case .at(let t): return t.checkpoint
        case .empty: return nil
        case .unknown: return try await refreshTail()?.checkpoint
        }
    }

    public func append(_ entries: [LedgerEntry], after expected: LedgerHead?, checkpoint: LedgerCheckpoint?) async throws {
        guard let last = entries.last else { return }
        try LedgerStoreError.checkExtends(expected, with: entries, evolution: evolution)
        var lines: [UInt8] = []
        for entry in entries { entry.writeLine(into: &lines) }

        var current: Tail?
        switch tail.withLock({ $0 }) {
        case .unknown: current = try await refreshTail()
        case .empty: current = nil
        case .at(let t): current = t
        }
        if current?.head != expected {
            current = try await refreshTail()
            guard current?.head == expected else { throw LedgerStoreError.headMoved(expected: expected, actual: current?.head) }
        }

        var attempt = 0
        while true {
            attempt += 1
            let write = try plannedWrite(after: current, lines: lines, firstSeq: entries[0].seq, head: last.asHead, checkpoint: checkpoint)
            let failure: KubeClientError
            do throws(KubeClientError) {
                let stored = write.create
                    ? try await client.create(.configMaps, write.tail.object, namespace: evolution.namespace)
                    : try await client.update(.configMaps, write.tail.object, namespace: evolution.namespace)
                var written = write.tail
                written.object = stored
                tail.withLock { $0 = .at(written) }
                return
            } catch {
                failure = error
            }
            let operation = write.create ? "creating" : "updating"
            if Self.isDefinite(failure) {
                tail.withLock { $0 = .unknown }
                throw ConfigMapLedgerError.api(operation: operation, configMap: write.tail.name, error: failure)
            }
            // Unknown outcome or a lost race: look before trying again.
            let refreshed: Tail?
            do {
                refreshed = try await refreshTail()
            } catch {
                tail.withLock { $0 = .unknown }
                throw ConfigMapLedgerError.api(operation: operation, configMap: write.tail.name, error: failure)
            }
            if refreshed?.head == last.asHead { return }  // the write landed; its response was lost
            guard refreshed?.head == expected else {
                throw LedgerStoreError.headMoved(expected: expected, actual: refreshed?.head)
            }
            if attempt >= options.writeAttempts {
                throw ConfigMapLedgerError.writeUnconfirmed(configMap: write.tail.name, attempts: attempt, lastError: failure)
            }
            if !(failure.isConflict || failure.isAlreadyExists) {
                do { try await Task.sleep(for: options.retryDelay * attempt) } catch {
                    throw ConfigMapLedgerError.api(operation: operation, configMap: write.tail.name, error: .cancelled)
                }
            }
            current = refreshed
        }
    }

    // MARK: Writing

    /// A refusal the server made knowingly (nothing was written, retrying will not help).
    static func isDefinite(_ error: KubeClientError) -> Bool {
        switch error {
        case .api(let status):
            return status.code >= 400 && status.code < 500 && status.code != 409 && status.code != 429
        case .configuration, .unknownKind, .cancelled:
            return true
        default:
            return false
        }
    }

    private func plannedWrite(after current: Tail?, lines: [UInt8], firstSeq: Int, head: LedgerHead, checkpoint: LedgerCheckpoint?)
        throws(ConfigMapLedgerError) -> (create: Bool, tail: Tail)
    {
        // A checkpoint of another head would be a stale claim: only the one signing this head is kept.
        let signed = checkpoint.flatMap { $0.head == head ? $0 : nil }
        let checkpointText: JSON? = signed.map { .string($0.json.serializedString()) }
        if let current, current.text.count < current.rollAt {
            let text = current.text + lines
            guard text.count <= options.maxSegmentBytes else {
                throw .batchTooLarge(bytes: lines.count, limit: options.maxSegmentBytes - current.text.count)
            }
            var object = current.object
            object["data"] = .object([Self.dataKey: .string(String(decoding: text, as: UTF8.self))])
            var annotations = object[path: "metadata", "annotations"]?.objectValue ?? JSONObject()
            annotations.set(Self.headSeqAnnotation, .string(String(head.seq)))
            annotations.set(Self.headHashAnnotation, .string(head.hash.hex))
            annotations[Self.checkpointAnnotation] = checkpointText
            object["metadata"]?["annotations"] = .object(annotations)
            return (false, Tail(index: current.index, object: object, text: text, firstSeq: current.firstSeq, head: head,
                                rollAt: current.rollAt, checkpoint: signed))
        }
        guard lines.count <= options.maxSegmentBytes else {
            throw .batchTooLarge(bytes: lines.count, limit: options.maxSegmentBytes)
        }
        let index = (current?.index ?? -1) + 1
        var labels: JSONObject = [Self.ledgerLabel: "true", Self.evolutionUIDLabel: .string(evolution.uid)]
        if evolution.name.count <= 63 { labels.set(Self.evolutionLabel, .string(evolution.name)) }
        var annotations: JSONObject = [
            Self.evolutionNameAnnotation: .string(evolution.name),
            Self.segmentAnnotation: .string(String(index)),
            Self.firstSeqAnnotation: .string(String(firstSeq)),
            Self.headSeqAnnotation: .string(String(head.seq)),
            Self.headHashAnnotation: .string(head.hash.hex),
            Self.rollAtAnnotation: .string(String(options.rollAtBytes)),
        ]
        annotations[Self.checkpointAnnotation] = checkpointText
        var metadata: JSONObject = [
            "name": .string(segmentName(index)),
            "namespace": .string(evolution.namespace),
            "labels": .object(labels),
            "annotations": .object(annotations),
        ]
        if options.retention == .deleteWithEvolution {
            metadata.set("ownerReferences", [[
                "apiVersion": .string(options.evolutionAPIVersion), "kind": .string(options.evolutionKind),
                "name": .string(evolution.name), "uid": .string(evolution.uid),
            ]])
        }
        let object: JSON = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata),
            "data": .object([Self.dataKey: .string(String(decoding: lines, as: UTF8.self))]),
        ]
        return (true, Tail(index: index, object: object, text: lines, firstSeq: firstSeq, head: head, rollAt: options.rollAtBytes,
                           checkpoint: signed))
    }

    // MARK: Reading

    /// Re-reads the newest segment: from the one last known, following later ones by name.
    func refreshTail() async throws -> Tail? {
        let start: Int
        switch tail.withLock({ $0 }) {
        case .unknown:
            _ = try await load()
            if case .at(let t) = tail.withLock({ $0 }) { return t }
            return nil
        case .empty: start = 0
        case .at(let t): start = t.index
        }
        var newest: Tail?
        var index = start
        while true {
            let name = segmentName(index)
            let object: JSON
            do throws(KubeClientError) {
                object = try await client.get(.configMaps, name: name, namespace: evolution.namespace)
            } catch {
                if error.isNotFound { break }
                throw ConfigMapLedgerError.api(operation: "reading", configMap: name, error: error)
            }
            if try segmentIndex(of: object) != index {
                throw ConfigMapLedgerError.corruptSegment(namespace: evolution.namespace, configMap: name,
                                                          reason: "its segment annotation does not say \(index)")
            }
            newest = try parseSegment(object, index: index).tail
            index += 1
        }
        if newest == nil && start > 0 {
            // The segment we knew of is gone: only a full load can say what is left.
            tail.withLock { $0 = .unknown }
            return try await refreshTail()
        }
        let found = newest
        tail.withLock { $0 = found.map(TailState.at) ?? .empty }
        return found
    }

    private func segmentIndex(of object: JSON) throws(ConfigMapLedgerError) -> Int {
        let name = object[path: "metadata", "name"]?.stringValue ?? "(unnamed)"
        let labels = object[path: "metadata", "labels"]
        guard labels?[Self.evolutionUIDLabel]?.stringValue == evolution.uid else {
            throw .corruptSegment(namespace: evolution.namespace, configMap: name,
                                  reason: "labelled for another evolution (\(Self.evolutionUIDLabel) is not \(evolution.uid))")
        }
        guard let text = object[path: "metadata", "annotations", Self.segmentAnnotation]?.stringValue,
              let index = Int(text), index >= 0 else {
            throw .corruptSegment(namespace: evolution.namespace, configMap: name,
                                  reason: "annotation \(Self.segmentAnnotation) is missing or not a segment index")
        }
        guard name == segmentName(index) else {
            throw .corruptSegment(namespace: evolution.namespace, configMap: name,
                                  reason: "segment \(index) of this ledger must be named \(segmentName(index))")
        }
        return index
    }

    private func parseSegment(_ object: JSON, index: Int) throws(ConfigMapLedgerError) -> (entries: [LedgerEntry], tail: Tail) {
        let name = object[path: "metadata", "name"]?.stringValue ?? "(unnamed)"
        let ns = evolution.namespace
        guard let data = object[path: "data", Self.dataKey]?.stringValue else {
            throw .corruptSegment(namespace: ns, configMap: name, reason: "no data key \(Self.dataKey)")
        }
        let bytes = Array(data.utf8)
        var entries: [LedgerEntry] = []
        var start = 0
        var line = 0
        let newline = UInt8(ascii: "\n")
        while start < bytes.count {
            line += 1
            guard let end = bytes[start...].firstIndex(of: newline) else {
                throw .corruptLine(namespace: ns, configMap: name, line: line, reason: "incomplete last line (no newline)")
            }
            let entry: LedgerEntry
            do {
                entry = try bytes.withUnsafeBufferPointer { buffer throws(LedgerEntryDecodingError) in
                    try LedgerEntry(jsonLine: UnsafeBufferPointer(rebasing: buffer[start..<end]))
                }
            } catch {
                throw .corruptLine(namespace: ns, configMap: name, line: line, reason: error.description)
            }
            if entry.evolution != evolution {
                throw .corruptLine(namespace: ns, configMap: name, line: line,
                                   reason: "the entry belongs to another evolution, \(entry.evolution)")
            }
            entries.append(entry)
            start = end + 1
        }
        guard let first = entries.first, let last = entries.last else {
            throw .corruptSegment(namespace: ns, configMap: name, reason: "holds no entries")
        }
        let annotations = object[path: "metadata", "annotations"]
        let annotatedFirst = annotations?[Self.firstSeqAnnotation]?.stringValue
        let annotatedSeq = annotations?[Self.headSeqAnnotation]?.stringValue
        let annotatedHash = annotations?[Self.headHashAnnotation]?.stringValue
        guard annotatedFirst == String(first.seq), annotatedSeq == String(last.seq), annotatedHash == last.hash.hex else {
            throw .corruptSegment(namespace: ns, configMap: name,
                                  reason: "annotations say seq \(annotatedFirst ?? "?")…\(annotatedSeq ?? "?") ending \(annotatedHash ?? "?"), entries hold seq \(first.seq)…\(last.seq) ending \(last.hash.hex)")
        }
        guard let rollText = annotations?[Self.rollAtAnnotation]?.stringValue, let rollAt = Int(rollText), rollAt > 0 else {
            throw .corruptSegment(namespace: ns, configMap: name, reason: "annotation \(Self.rollAtAnnotation) is missing or not a size")
        }
        let checkpoint = annotations?[Self.checkpointAnnotation]?.stringValue
            .flatMap { try? JSON.parse(Array($0.utf8)) }.flatMap(LedgerCheckpoint.init(json:))
        return (entries, Tail(index: index, object: object, text: bytes, firstSeq: first.seq, head: last.asHead, rollAt: rollAt,
                              checkpoint: checkpoint))
    }
}
