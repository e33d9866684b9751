import KubeJSON

/// Ordering of resourceVersions, where the server allows one.
///
/// The API says resourceVersions are opaque; etcd-backed servers (and KubeSim)
/// issue increasing integers. When both parse as integers they are compared,
/// so a late event never overwrites newer cached state; otherwise the event
/// is trusted (a watch delivers in order).
public enum ResourceVersion {
    public static func of(_ object: JSON) -> String? { object[path: "metadata", "resourceVersion"]?.stringValue }

    /// True when `candidate` is known to be strictly older than `current`.
    public static func isOlder(_ candidate: String?, than current: String?) -> Bool {
        guard let candidate, let current, let a = UInt64(candidate), let b = UInt64(current) else { return false }
        return a < b
    }
}
