import KubeJSON
import Synchronization

/// apiVersion + kind → resource, learned from /api and /apis and cached.
final class DiscoveryCache: Sendable {
    private let resources = Mutex<[String: APIResource]>([:])

    static func key(_ apiVersion: String, _ kind: String) -> String { apiVersion + "|" + kind }

    func lookup(_ apiVersion: String, _ kind: String) -> APIResource? {
        resources.withLock { $0[Self.key(apiVersion, kind)] }
    }

    func store(_ found: [APIResource]) {
        resources.withLock { table in
            for r in found { table[Self.key(r.apiVersion, r.kind)] = r }
        }
    }
}

extension KubeClient {
    /// The resource serving `kind` in `apiVersion`. Cached; a miss refreshes
    /// that group-version's discovery document once (a CRD may be new).
    public func resource(apiVersion: String, kind: String) async throws(KubeClientError) -> APIResource {
        if let cached = discovery.lookup(apiVersion, kind) { return cached }
        let path = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
        let response: HTTPResponse
        do { response = try await send("GET", path) } catch where error.isNotFound {
            throw .unknownKind(apiVersion: apiVersion, kind: kind)
        }
        guard let document = try? JSON.parse(response.body), let list = document["resources"]?.arrayValue else {
            throw .invalidResponse(url: baseURL + path, reason: "not an APIResourceList")
        }
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        let found: [APIResource] = list.compactMap { item in
            guard let name = item["name"]?.stringValue, !name.contains("/"),  // skip subresources
                  let itemKind = item["kind"]?.stringValue else { return nil }
            return APIResource(group: group, version: version, name: name, kind: itemKind,
                               namespaced: item["namespaced"]?.boolValue ?? false)
        }
        discovery.store(found)
        guard let resource = found.first(where: { $0.kind == kind }) else {
            throw .unknownKind(apiVersion: apiVersion, kind: kind)
        }
        return resource
    }

    /// The resource for an object's own apiVersion and kind.
    public func resource(for object: JSON) async throws(KubeClientError) -> APIResource {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
            throw .configuration(KubeConfigError("the object has no apiVersion or kind"))
        }
        return try await resource(apiVersion: apiVersion, kind: kind)
    }
}
