import Foundation

/// The impersonation filter (KUBE-API.md §8.3): `Impersonate-User`,
/// `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>`
/// replace the requester with the user they name, once the requester is allowed
/// the verb `impersonate` on each: `users`, `serviceaccounts` (namespaced; for
/// `system:serviceaccount:NS:NAME`), `groups`, `uids` and `userextras/<key>`
/// (the last two in group authentication.k8s.io).
///
/// A ServiceAccount named without groups gets its fixed groups; any
/// non-anonymous user gets `system:authenticated` unless the groups named one of
/// the two "all" groups. The impersonated ServiceAccount need not exist.
extension APIServer {
    func impersonate(_ request: APIRequest, requester: SimUser) throws -> SimUser {
        let userHeader = request.header("Impersonate-User") ?? ""
        let groupHeaders = request.headers.filter { APIRequest.sameIgnoringASCIICase($0.0, "Impersonate-Group") }.map(\.1)
        let uid = request.header("Impersonate-Uid") ?? ""
        let extraPrefix = "impersonate-extra-"
        let extras: [(key: String, value: String)] = request.headers.compactMap { name, value in
            let lower = name.lowercased()
            guard lower.hasPrefix(extraPrefix) else { return nil }
            let key = String(lower.dropFirst(extraPrefix.count))
            return (key.removingPercentEncoding ?? key, value)
        }
        if userHeader.isEmpty {
            guard groupHeaders.isEmpty, uid.isEmpty, extras.isEmpty else {
                // Go's %v of the []ObjectReference the filter built: {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}.
                let requests = groupHeaders.map { "{Group  \($0)    }" }
                    + extras.map { "{UserExtra  \($0.value)  authentication.k8s.io/v1  \($0.key)}" }
                    + (uid.isEmpty ? [] : ["{UID  \(uid)  authentication.k8s.io/v1  }"])
                throw APIError.badRequest("requested [\(requests.joined(separator: " "))] without impersonating a user")
            }
            return requester
        }

        var attributes: [AuthorizationAttributes] = []
        var groups: [String] = []
        let username: String
        if let account = ServiceAccountName.split(userHeader) {
            username = userHeader
            attributes.append(AuthorizationAttributes(user: requester, verb: "impersonate", version: "v1", resource: "serviceaccounts",
                                                      namespace: account.namespace, name: account.name))
            if groupHeaders.isEmpty { groups = ServiceAccountName.groups(namespace: account.namespace) }
        } else {
            username = userHeader
            attributes.append(AuthorizationAttributes(user: requester, verb: "impersonate", version: "v1", resource: "users", name: userHeader))
        }
        for group in groupHeaders {
            groups.append(group)
            attributes.append(AuthorizationAttributes(user: requester, verb: "impersonate", version: "v1", resource: "groups", name: group))
        }
        for extra in extras {
            attributes.append(AuthorizationAttributes(user: requester, verb: "impersonate", group: "authentication.k8s.io", version: "v1",
                                                      resource: "userextras", subresource: extra.key, name: extra.value))
        }
        if !uid.isEmpty {
            attributes.append(AuthorizationAttributes(user: requester, verb: "impersonate", group: "authentication.k8s.io", version: "v1",
                                                      resource: "uids", name: uid))
        }
        for attribute in attributes { try requireAuthorized(attribute) }

        if username != SimUser.anonymous.name {
            if !groups.contains(where: { $0 == "system:authenticated" || $0 == "system:unauthenticated" }) {
                groups.append("system:authenticated")
            }
        } else if !groups.contains("system:unauthenticated") {
            groups.append("system:unauthenticated")
        }
        return SimUser(name: username, groups: groups)
    }
}
