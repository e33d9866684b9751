import Crypto
import KubeJSON

extension AppliedObject {
    /// What an `Applied` entry records of an object as it was sent: its reference, the
    /// SHA-256 of its canonical JSON (sorted keys, the ledger's own encoding), the paths
    /// of the fields it sets, and the resourceVersion the server answered with.
    public static func sent(_ object: JSON, resourceVersion: String?) -> AppliedObject {
        var canonical: [UInt8] = []
        CanonicalJSON.write(object, into: &canonical)
        let hash = SHA256.hash(data: canonical).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        return AppliedObject(apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "",
                             namespace: object[path: "metadata", "namespace"]?.stringValue,
                             name: object[path: "metadata", "name"]?.stringValue ?? "", contentHash: hash,
                             fields: fieldPaths(object), resourceVersion: resourceVersion)
    }

    /// The dotted paths of what an object sets, two levels below each top-level member
    /// (`spec.replicas`, `data.mode`), identity fields left out, at most 32 of them.
    static func fieldPaths(_ object: JSON) -> [String] {
        guard case .object(let top) = object else { return [] }
        var paths: [String] = []
        for (key, value) in top.sorted(by: { $0.0 < $1.0 }) where !["apiVersion", "kind"].contains(key) {
            guard case .object(let inner) = value, !inner.isEmpty else { paths.append(key); continue }
            for (innerKey, _) in inner.sorted(by: { $0.0 < $1.0 }) {
                if key == "metadata", ["name", "namespace"].contains(innerKey) { continue }
                paths.append("\(key).\(innerKey)")
            }
        }
        return Array(paths.prefix(32))
    }
}
