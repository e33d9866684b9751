import Foundation
import KubeJSON

/// An HTTP request as the API layer sees it.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var query: [(String, String)]
    var headers: [(String, String)]
    var body: [UInt8]

    /// The first value, as Go's `Header.Get` reads it. Names compare without case, and
    /// without building lower-cased copies per lookup.
    func header(_ name: String) -> String? {
        headers.first { Self.sameIgnoringASCIICase($0.0, name) }?.1
    }

    static func sameIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { x, y in
            x == y || ((x | 0x20) == (y | 0x20) && (0x61...0x7A).contains(x | 0x20))
        }
    }

    func parameter(_ name: String) -> String? {
        query.last { $0.0 == name }?.1
    }

    var isWatch: Bool {
        guard let w = parameter("watch") else { return false }
        return w == "1" || w == "true"
    }

    static func parseQuery(_ raw: String) -> [(String, String)] {
        raw.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }
}

/// Who sent a request.
public struct SimUser: Sendable, Equatable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String] = ["system:authenticated"]) {
        self.name = name
        self.groups = groups
    }

    static let anonymous = SimUser(name: "system:anonymous", groups: ["system:unauthenticated"])
}

/// A resource request's coordinates, parsed from the path like the real
/// server's RequestInfoFactory.
struct RequestInfo: Equatable {
    var verb: String
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?
    /// `/api/v1/namespaces/x/namespaces/y`: a cluster-scoped resource asked for under a namespace.
    var namespaceGiven = false

    /// nil for paths that are not resource paths.
    static func parse(method: String, path: String, watchParameter: Bool) -> RequestInfo? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else { return nil }
        var group = ""
        let version: String
        if parts[0] == "api", parts.count >= 2 {
            version = parts[1]
            parts.removeFirst(2)
        } else if parts[0] == "apis", parts.count >= 3 {
            group = parts[1]
            version = parts[2]
            parts.removeFirst(3)
        } else {
            return nil
        }
        guard !parts.isEmpty else { return nil }
        var legacyWatch = false
        if parts[0] == "watch" {
            legacyWatch = true
            parts.removeFirst()
        }
        var namespace: String?
        var namespaceGiven = false
        if parts.first == "namespaces", parts.count == 3, parts[2] == "status" || parts[2] == "finalize" {
            // A namespace's own subresources: /api/v1/namespaces/NAME/status.
        } else if parts.first == "namespaces", parts.count >= 3 {
            namespace = parts[1]
            namespaceGiven = true
            parts.removeFirst(2)
        }
        guard !parts.isEmpty, parts.count <= 3 else { return nil }
        let resource = parts[0]
        let name = parts.count > 1 ? parts[1] : nil
        let subresource = parts.count > 2 ? parts[2] : nil
        let verb: String
        switch method {
        case "GET", "HEAD":
            if name == nil { verb = (watchParameter || legacyWatch) ? "watch" : "list" }
            else { verb = legacyWatch ? "watch" : "get" }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
        return RequestInfo(verb: verb, group: group, version: version, namespace: namespace, resource: resource,
                           name: name, subresource: subresource, namespaceGiven: namespaceGiven)
    }
}
