import Synchronization

/// A small, thread-safe Prometheus exporter: counters, gauges and histograms with labels.
///
/// Families are created once (by name) and shared: asking again for the same
/// name returns the existing family, so several controllers can record into one
/// registry under their own label values. `render()` produces text exposition
/// format 0.0.4 (`text/plain; version=0.0.4`), families sorted by name and
/// series by label values, so the output is stable for tests and diffs.
///
/// Collectors run at the start of every `render()`; they copy values that are
/// cheaper to read on scrape than to track on the hot path (queue depth,
/// informer counters) into gauges and counters.
///
/// Caveat: a family asked for again with a different type, label names or
/// buckets is a programming error and traps.
public final class MetricsRegistry: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let families = Mutex<[String: MetricFamily]>([:])
    let collectors = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily {
        family(name, help: help, type: .counter, labels: labels, buckets: [])
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricFamily {
        family(name, help: help, type: .gauge, labels: labels, buckets: [])
    }

    /// A histogram with cumulative `buckets` (upper bounds, in the unit of the observations); `+Inf` is implied.
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = MetricFamily.defaultBuckets) -> MetricFamily {
        family(name, help: help, type: .histogram, labels: labels, buckets: buckets.sorted())
    }

    /// Runs `collect` before every render.
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// The whole registry in Prometheus text exposition format 0.0.4.
    public func render() -> String {
        for collect in collectors.withLock({ $0 }) { collect() }
        let sorted = families.withLock { $0.values.sorted { $0.name < $1.name } }
        var out = ""
        for family in sorted { family.render(into: &out) }
        return out
    }

    private func family(_ name: String, help: String, type: MetricFamily.Kind, labels: [String], buckets: [Double]) -> MetricFamily {
        precondition(PrometheusText.isValidName(name), "invalid metric name \(name)")
        precondition(labels.allSatisfy { PrometheusText.isValidName($0) && $0 != "le" }, "invalid label names \(labels)")
        return families.withLock { families in
            if let existing = families[name] {
                precondition(existing.kind == type && existing.labelNames == labels && existing.buckets == buckets,
                             "metric \(name) registered twice with different shapes")
                return existing
            }
            let family = MetricFamily(name: name, help: help, kind: type, labelNames: labels, buckets: buckets)
            families[name] = family
            return family
        }
    }
}
