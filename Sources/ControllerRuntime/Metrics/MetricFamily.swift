import Synchronization

/// One metric name with its HELP, TYPE and a series per combination of label values.
///
/// Label values are given in the order of the family's label names; a missing
/// value counts as empty, extra values trap.
public final class MetricFamily: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// Prometheus' default buckets, in seconds.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Series {
        var value: Double = 0
        /// Per-bucket (non-cumulative) counts; cumulated when rendered.
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
    }

    public let name: String
    public let help: String
    public let kind: Kind
    public let labelNames: [String]
    public let buckets: [Double]
    let series = Mutex<[[String]: Series]>([:])

    init(name: String, help: String, kind: Kind, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.buckets = buckets
    }

    /// Adds `amount` (≥ 0) to a counter, or to a gauge.
    public func increment(_ labels: [String] = [], by amount: Double = 1) {
        precondition(kind != .histogram, "\(name) is a histogram")
        precondition(kind == .gauge || amount >= 0, "a counter only goes up")
        let key = normalized(labels)
        series.withLock { $0[key, default: Series()].value += amount }
    }

    /// Sets a gauge; on a counter, only for collectors that copy a monotonic count kept elsewhere.
    public func set(_ labels: [String] = [], to value: Double) {
        precondition(kind != .histogram, "\(name) is a histogram")
        let key = normalized(labels)
        series.withLock { $0[key, default: Series()].value = value }
    }

    /// Drops the series whose label values match (a gauge about something that is gone).
    public func removeAll(where matches: ([String]) -> Bool) {
        series.withLock { all in all = all.filter { !matches($0.key) } }
    }

    /// Records one observation into a histogram.
    public func observe(_ labels: [String] = [], _ value: Double) {
        precondition(kind == .histogram, "\(name) is not a histogram")
        let key = normalized(labels)
        let index = buckets.firstIndex { value <= $0 } ?? buckets.count
        series.withLock { all in
            var entry = all[key] ?? Series(bucketCounts: Array(repeating: 0, count: buckets.count + 1))
            entry.bucketCounts[index] += 1
            entry.count += 1
            entry.value += value
            all[key] = entry
        }
    }

    /// Records a duration in seconds.
    public func observe(_ labels: [String] = [], _ duration: Duration) {
        observe(labels, duration.seconds)
    }

    /// The current value of a counter or gauge series (0 if never touched), or a histogram's sum.
    public func value(_ labels: [String] = []) -> Double {
        let key = normalized(labels)
        return series.withLock { $0[key]?.value ?? 0 }
    }

    /// How many observations a histogram series holds.
    public func count(_ labels: [String] = []) -> UInt64 {
        let key = normalized(labels)
        return series.withLock { $0[key]?.count ?? 0 }
    }

    private func normalized(_ labels: [String]) -> [String] {
        precondition(labels.count <= labelNames.count, "\(name) takes labels \(labelNames), got \(labels)")
        return labels.count == labelNames.count ? labels : labels + Array(repeating: "", count: labelNames.count - labels.count)
    }

    func render(into out: inout String) {
        let snapshot = series.withLock { $0 }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        out += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n"
        out += "# TYPE \(name) \(kind.rawValue)\n"
        for (values, entry) in snapshot {
            let pairs = Array(zip(labelNames, values))
            switch kind {
            case .counter, .gauge:
                out += "\(name)\(PrometheusText.labels(pairs)) \(PrometheusText.number(entry.value))\n"
            case .histogram:
                var cumulative: UInt64 = 0
                for (index, bound) in (buckets + [.infinity]).enumerated() {
                    cumulative += entry.bucketCounts[index]
                    let le = PrometheusText.number(bound)
                    out += "\(name)_bucket\(PrometheusText.labels(pairs + [("le", le)])) \(cumulative)\n"
                }
                out += "\(name)_sum\(PrometheusText.labels(pairs)) \(PrometheusText.number(entry.value))\n"
                out += "\(name)_count\(PrometheusText.labels(pairs)) \(entry.count)\n"
            }
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
