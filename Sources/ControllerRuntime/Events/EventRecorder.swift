import Foundation
import KubeClient
import KubeJSON
import Logging
import Synchronization

/// Records events.k8s.io/v1 Events about objects, folding repeats into one Event's `series`.
///
/// Expected flow: the first occurrence creates an Event; repeats of the same
/// (object, type, reason, action, note) within `seriesWindow` only count, and
/// the Event's `series.count` is patched at most once per `patchInterval`,
/// so a hot reconcile loop costs one write per interval, not one per call.
/// `flush()` writes counts still pending (call it on shutdown).
///
/// Errors: events are best effort; a failed write is counted in `stats`, never thrown.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    public struct Stats: Sendable, Equatable {
        public var recorded = 0
        public var creates = 0
        public var patches = 0
        public var failedWrites = 0
    }

    struct Series {
        var name: String
        var namespace: String
        /// The object the Event is about.
        var regardingName = ""
        var count: Int
        var writtenCount = 0
        var created = false
        var writing = false
        var lastWrite: Duration?
        var lastObserved: Duration
    }

    let client: KubeClient
    public let reportingController: String
    public let reportingInstance: String
    let clock: any RuntimeClock
    let wallClock: @Sendable () -> Date
    let seriesWindow: Duration
    let patchInterval: Duration
    let state = Mutex<(series: [String: Series], stats: Stats, lastPrune: Duration)>(([:], Stats(), .zero))
    /// How many series are remembered at most.
    let maxSeries: Int
    let metrics: RuntimeMetrics?
    let logger: Logger

    public init(client: KubeClient, reportingController: String, reportingInstance: String,
                clock: any RuntimeClock = ContinuousRuntimeClock(), wallClock: @escaping @Sendable () -> Date = { Date() },
                seriesWindow: Duration = .seconds(360), patchInterval: Duration = .seconds(10), maxSeries: Int = 4096,
                metrics: RuntimeMetrics? = nil, logger: Logger = .disabled("causeway.events")) {
        self.maxSeries = maxSeries
        self.metrics = metrics
        self.logger = logger
        self.client = client
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.clock = clock
        self.wallClock = wallClock
        self.seriesWindow = seriesWindow
        self.patchInterval = patchInterval
    }

    public var stats: Stats { state.withLock { $0.stats } }

    /// Records one occurrence. `regarding` is the object (or an object reference) the event is about.
    public func record(regarding: JSON, type: EventType, reason: String, action: String, note: String) async {
        let reference = Self.reference(to: regarding)
        let namespace = reference["namespace"]?.stringValue ?? "default"
        let note = Self.truncated(note)
        let identity = [reference.serializedString(), type.rawValue, reason, action, note].joined(separator: "\u{1F}")
        let now = clock.now
        enum Write { case create(name: String), patch(name: String, count: Int), none }
        let write: Write = state.withLock { state in
            state.stats.recorded += 1
            if var series = state.series[identity], now - series.lastObserved < seriesWindow {
                series.count += 1
                series.lastObserved = now
                var write = Write.none
                if series.created, !series.writing, series.lastWrite.map({ now - $0 >= patchInterval }) ?? true {
                    series.writing = true
                    write = .patch(name: series.name, count: series.count)
                }
                state.series[identity] = series
                return write
            }
            // Series past their window can no longer be counted into: drop them, at most once a window's tenth.
            if state.series.count > 256, now - state.lastPrune > seriesWindow / 10 {
                state.series = state.series.filter { now - $0.value.lastObserved < seriesWindow }
                state.lastPrune = now
            }
            // Bounded, as client-go's correlator (4,096): past it the least recently seen tenth goes, and a
            // repeat of one of those starts a new Event instead of counting into the old one.
            if state.series.count >= maxSeries {
                let oldest = state.series.sorted { $0.value.lastObserved < $1.value.lastObserved }.prefix(max(1, maxSeries / 10))
                for (key, _) in oldest { state.series[key] = nil }
            }
            let base = reference["name"]?.stringValue ?? "event"
            let name = "\(base).\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
            state.series[identity] = Series(name: name, namespace: namespace, regardingName: reference["name"]?.stringValue ?? "",
                                            count: 1, writing: true, lastObserved: now)
            return .create(name: name)
        }
        switch write {
        case .create(let name):
            let event: JSON = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "eventTime": .string(MicroTime.format(wallClock())),
                "reportingController": .string(reportingController), "reportingInstance": .string(reportingInstance),
                "action": .string(action), "reason": .string(reason), "type": .string(type.rawValue),
                "note": .string(note), "regarding": reference,
            ]
            var ok = true
            do {
                _ = try await measured(metrics, "POST") { () async throws(KubeClientError) in
                    try await client.create(.events, event, namespace: namespace)
                }
            } catch {
                ok = false
                logger.warning("could not record an Event", metadata: ["namespace": .string(namespace), "reason": .string(reason),
                                                                        "error": .string("\(error)")])
            }
            finishWrite(identity, count: 1, ok: ok, created: true)
        case .patch(let name, let count):
            await patch(identity, name: name, namespace: namespace, count: count)
        case .none:
            break
        }
    }

    /// The object is gone: its series are dropped (their Events stay on the server, counted as far as they got).
    public func forget(namespace: String, name: String) {
        state.withLock { state in
            state.series = state.series.filter { !($0.value.namespace == namespace && $0.value.regardingName == name) }
        }
    }

    /// Writes every series whose count is ahead of what the server has.
    public func flush() async {
        let pending: [(String, String, String, Int)] = state.withLock { state in
            var pending: [(String, String, String, Int)] = []
            for (identity, series) in state.series where series.created && !series.writing && series.count > series.writtenCount {
                state.series[identity]?.writing = true
                pending.append((identity, series.name, series.namespace, series.count))
            }
            return pending
        }
        for (identity, name, namespace, count) in pending { await patch(identity, name: name, namespace: namespace, count: count) }
    }

    private func patch(_ identity: String, name: String, namespace: String, count: Int) async {
        let body: JSON = ["series": ["count": .int(Int64(count)), "lastObservedTime": .string(MicroTime.format(wallClock()))]]
        var ok = true
        do {
            _ = try await measured(metrics, "PATCH") { () async throws(KubeClientError) in
                try await client.patch(.events, name: name, namespace: namespace, .merge(body))
            }
        } catch {
            ok = false
            logger.warning("could not update an Event's count", metadata: ["namespace": .string(namespace), "event": .string(name),
                                                                            "error": .string("\(error)")])
        }
        finishWrite(identity, count: count, ok: ok, created: false)
    }

    private func finishWrite(_ identity: String, count: Int, ok: Bool, created: Bool) {
        let now = clock.now
        state.withLock { state in
            state.series[identity]?.writing = false
            guard ok else {
                state.stats.failedWrites += 1
                // A failed create leaves nothing to patch: the next occurrence starts a new Event.
                if created { state.series[identity] = nil }
                return
            }
            if created { state.stats.creates += 1; state.series[identity]?.created = true } else { state.stats.patches += 1 }
            state.series[identity]?.writtenCount = count
            state.series[identity]?.lastWrite = now
        }
    }

    /// An object reference (apiVersion, kind, namespace, name, uid) from an object or a reference.
    static func reference(to object: JSON) -> JSON {
        var reference: JSON = [:]
        for field in ["apiVersion", "kind"] { if let value = object[field] { reference[field] = value } }
        for field in ["namespace", "name", "uid"] {
            if let value = object[path: "metadata", field] ?? object[field] { reference[field] = value }
        }
        return reference
    }

    /// The API limits a note to 1 kB; longer notes are cut at a character boundary.
    static func truncated(_ note: String) -> String {
        guard note.utf8.count > 1024 else { return note }
        var cut = ""
        for character in note {
            if cut.utf8.count + character.utf8.count > 1021 { break }
            cut.append(character)
        }
        return cut + "..."
    }
}
