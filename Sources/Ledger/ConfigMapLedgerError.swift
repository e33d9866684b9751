import KubeClient

/// What went wrong with a ConfigMap-backed ledger, always naming the ConfigMap
/// (and the line, for content). Content errors are never repaired.
public enum ConfigMapLedgerError: Error, Sendable, CustomStringConvertible {
    /// A line of a segment that is not a ledger entry, or an entry of another evolution.
    case corruptLine(namespace: String, configMap: String, line: Int, reason: String)
    /// A segment whose metadata or shape is wrong (bad index, head annotation not
    /// matching its last entry, empty, a name that is not the segment's).
    case corruptSegment(namespace: String, configMap: String, reason: String)
    /// Segments are numbered from 0 without gaps; this one is absent.
    case missingSegment(namespace: String, configMap: String, index: Int)
    /// One batch would push a segment past the hard size cap.
    case batchTooLarge(bytes: Int, limit: Int)
    /// The API server failed a request that the store could not resolve.
    case api(operation: String, configMap: String, error: KubeClientError)
    /// Writes kept failing in an unknown state; the store re-checked the head each time.
    case writeUnconfirmed(configMap: String, attempts: Int, lastError: KubeClientError)

    public var description: String {
        switch self {
        case .corruptLine(let ns, let cm, let line, let reason):
            return "configmap \(ns)/\(cm):\(line): not a valid ledger entry: \(reason)"
        case .corruptSegment(let ns, let cm, let reason):
            return "configmap \(ns)/\(cm): not a valid ledger segment: \(reason)"
        case .missingSegment(let ns, let cm, let index):
            return "configmap \(ns)/\(cm): ledger segment \(index) is missing"
        case .batchTooLarge(let bytes, let limit):
            return "a batch of \(bytes) bytes does not fit a ledger segment (at most \(limit) bytes)"
        case .api(let operation, let cm, let error):
            return "\(operation) configmap \(cm): \(error)"
        case .writeUnconfirmed(let cm, let attempts, let error):
            return "writing configmap \(cm) failed \(attempts) times (\(error)); the ledger's head was re-checked each time"
        }
    }
}
