import KubeJSON

/// Paths that are not resources: version, health, discovery and OpenAPI (KUBE-API.md §1.2, §1.5).
extension APIServer {
    func nonResource(_ request: APIRequest) throws -> APIResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        switch path {
        case "/version":
            return .object(status: 200, body: ["major": "1", "minor": "32", "gitVersion": "v1.32.0-kubesim", "gitCommit": "kubesim",
                                               "gitTreeState": "clean", "buildDate": "2026-11-24T00:00:00Z", "goVersion": "go1.23",
                                               "compiler": "gc", "platform": "linux/amd64"])
        case "/healthz", "/readyz", "/livez":
            return .text(status: 200, body: "ok")
        case "/api":
            return .object(status: 200, body: ["kind": "APIVersions", "versions": ["v1"],
                                               "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]]])
        case "/apis":
            return .object(status: 200, body: ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups().map(groupDocument))])
        case "/openapi/v3":
            var paths = JSONObject()
            paths.set("api/v1", ["serverRelativeURL": .string("/openapi/v3/api/v1?hash=\(store.revision)")])
            for (group, version) in groupVersions() where !group.isEmpty {
                paths.set("apis/\(group)/\(version)", ["serverRelativeURL": .string("/openapi/v3/apis/\(group)/\(version)?hash=\(store.revision)")])
            }
            return .object(status: 200, body: ["paths": .object(paths)])
        default:
            break
        }
        let parts = path.split(separator: "/").map(String.init)
        if parts == ["api", "v1"] { return .object(status: 200, body: resourceList(group: "", version: "v1")) }
        if parts.count == 2, parts[0] == "apis", let doc = groups().first(where: { $0.name == parts[1] }) {
            var body = groupDocument(doc)
            body["kind"] = "APIGroup"
            body["apiVersion"] = "v1"
            return .object(status: 200, body: body)
        }
        if parts.count == 3, parts[0] == "apis", groupVersions().contains(where: { $0 == (parts[1], parts[2]) }) {
            return .object(status: 200, body: resourceList(group: parts[1], version: parts[2]))
        }
        if parts.count >= 3, parts[0] == "openapi", parts[1] == "v3" {
            let gv = parts[2] == "api" ? ("", "v1") : (parts.count == 5 ? (parts[3], parts[4]) : ("", ""))
            if groupVersions().contains(where: { $0 == gv }) { return .object(status: 200, body: openAPIDocument(group: gv.0, version: gv.1)) }
        }
        throw APIError.pageNotFound
    }

    private struct GroupInfo {
        var name: String
        var versions: [String]
    }

    private func groups() -> [GroupInfo] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for type in store.types.values.sorted(by: { ($0.group, $0.plural) < ($1.group, $1.plural) }) where !type.group.isEmpty {
            if versions[type.group] == nil { order.append(type.group) }
            if !(versions[type.group] ?? []).contains(type.version) { versions[type.group, default: []].append(type.version) }
        }
        return order.map { GroupInfo(name: $0, versions: versions[$0] ?? []) }
    }

    private func groupDocument(_ g: GroupInfo) -> JSON {
        let versions: [JSON] = g.versions.map { ["groupVersion": .string("\(g.name)/\($0)"), "version": .string($0)] }
        return ["name": .string(g.name), "versions": .array(versions), "preferredVersion": versions.first ?? [:]]
    }

    private func groupVersions() -> [(String, String)] {
        var seen: [(String, String)] = []
        for t in store.types.values where !seen.contains(where: { $0 == (t.group, t.version) }) { seen.append((t.group, t.version)) }
        return seen
    }

    private func resourceList(group: String, version: String) -> JSON {
        let verbs: JSON = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        var resources: [JSON] = []
        for t in store.types.values.sorted(by: { $0.plural < $1.plural }) where t.group == group && t.version == version {
            var r: JSONObject = ["name": .string(t.plural), "singularName": .string(t.isCustom ? t.singular : ""),
                                 "namespaced": .bool(t.namespaced), "kind": .string(t.kind), "verbs": t.createOnly ? ["create"] : verbs]
            if !t.shortNames.isEmpty { r.set("shortNames", .array(t.shortNames.map { .string($0) })) }
            if !t.categories.isEmpty { r.set("categories", .array(t.categories.map { .string($0) })) }
            resources.append(.object(r))
            if t.hasStatus {
                resources.append(["name": .string("\(t.plural)/status"), "singularName": "", "namespaced": .bool(t.namespaced),
                                  "kind": .string(t.kind), "verbs": ["get", "patch", "update"]])
            }
            if t.plural == "serviceaccounts" {
                resources.append(["name": "serviceaccounts/token", "singularName": "", "namespaced": true, "group": "authentication.k8s.io",
                                  "version": "v1", "kind": "TokenRequest", "verbs": ["create"]])
            }
            if t.plural == "namespaces" {
                resources.append(["name": "namespaces/finalize", "singularName": "", "namespaced": false, "kind": "Namespace", "verbs": ["update"]])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                "resources": .array(resources)]
    }

    /// Just enough OpenAPI v3 for kubectl: each kind's PATCH operation carries its
    /// group-version-kind and advertises `fieldValidation`, so kubectl validates
    /// on the server (KUBE-API.md §1.5); schemas come from the CRDs.
    private func openAPIDocument(group: String, version: String) -> JSON {
        var paths = JSONObject()
        var schemas = JSONObject()
        for t in store.types.values where t.group == group && t.version == version {
            let gvk: JSON = [["group": .string(group), "version": .string(version), "kind": .string(t.kind)]]
            let schemaName = "\(group.isEmpty ? "io.k8s.api.core" : group).\(version).\(t.kind)"
            let reference: JSON = ["$ref": .string("#/components/schemas/\(schemaName)")]
            let body: JSON = ["content": ["application/json": ["schema": reference]]]
            let parameters: JSON = [
                ["name": "dryRun", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string"]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string"]],
                ["name": "force", "in": "query", "schema": ["type": "boolean"]],
            ]
            let item = t.namespaced
                ? "/\(group.isEmpty ? "api" : "apis/\(group)")/\(version)/namespaces/{namespace}/\(t.plural)/{name}"
                : "/\(group.isEmpty ? "api" : "apis/\(group)")/\(version)/\(t.plural)/{name}"
            let operation: (String) -> JSON = { verb in
                ["operationId": .string("\(verb)\(t.kind)"), "x-kubernetes-action": .string(verb == "patch" ? "patch" : verb),
                 "x-kubernetes-group-version-kind": gvk[0] ?? [:], "parameters": parameters, "requestBody": body,
                 "responses": ["200": body]]
            }
            paths.set(item, ["get": operation("get"), "put": operation("put"), "patch": operation("patch"), "delete": operation("delete")])
            var schema = t.schema?.objectValue ?? (["type": "object", "x-kubernetes-preserve-unknown-fields": true] as JSONObject)
            schema.set("x-kubernetes-group-version-kind", gvk)
            schemas.set(schemaName, .object(schema))
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths),
                "components": ["schemas": .object(schemas)]]
    }
}
