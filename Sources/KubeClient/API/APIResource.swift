/// A REST resource: where objects of one kind live on the API server.
public struct APIResource: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public var group: String
    public var version: String
    /// The plural, lower-case resource name used in URLs ("deployments").
    public var name: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, name: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.name = name
        self.kind = kind
        self.namespaced = namespaced
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { group.isEmpty ? name : "\(name).\(group)" }

    /// `/api/v1/namespaces/NS/configmaps/NAME/status`, leaving out what is nil.
    public func path(namespace: String? = nil, name objectName: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/" + PercentEncoding.pathSegment(namespace) }
        path += "/" + name
        if let objectName { path += "/" + PercentEncoding.pathSegment(objectName) }
        if let subresource { path += "/" + subresource }
        return path
    }

    public static let namespaces = APIResource(group: "", version: "v1", name: "namespaces", kind: "Namespace", namespaced: false)
    public static let configMaps = APIResource(group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secrets = APIResource(group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true)
    public static let serviceAccounts = APIResource(group: "", version: "v1", name: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    public static let events = APIResource(group: "events.k8s.io", version: "v1", name: "events", kind: "Event", namespaced: true)
    public static let selfSubjectReviews = APIResource(group: "authentication.k8s.io", version: "v1", name: "selfsubjectreviews",
                                                       kind: "SelfSubjectReview", namespaced: false)
    public static let leases = APIResource(group: "coordination.k8s.io", version: "v1", name: "leases", kind: "Lease", namespaced: true)
    public static let deployments = APIResource(group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true)
    public static let customResourceDefinitions = APIResource(group: "apiextensions.k8s.io", version: "v1",
                                                              name: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
}

enum PercentEncoding {
    /// RFC 3986 unreserved characters pass; everything else is %XX.
    static func encode(_ s: String, keeping extra: Set<UInt8> = []) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                if extra.contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)); continue }
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    static func pathSegment(_ s: String) -> String { encode(s, keeping: [UInt8(ascii: ":"), UInt8(ascii: "@")]) }

    static func query(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
