import KubeJSON

/// What an authorizer is asked: who wants to do what to which resource (the
/// real server's `authorizer.Attributes`). Built from a request path, from an
/// impersonation header, from an access review, or for a create-on-apply.
struct AuthorizationAttributes: Sendable, Equatable {
    var user: SimUser
    var verb: String
    var group: String = ""
    var version: String = ""
    var resource: String = ""
    var subresource: String = ""
    /// Empty at the cluster scope.
    var namespace: String = ""
    var name: String = ""
    /// False for non-resource paths such as /healthz.
    var isResourceRequest = true
    var path: String = ""

    init(user: SimUser, verb: String, group: String = "", version: String = "", resource: String = "", subresource: String = "",
         namespace: String = "", name: String = "", isResourceRequest: Bool = true, path: String = "") {
        self.user = user
        self.verb = verb
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.isResourceRequest = isResourceRequest
        self.path = path
    }

    init(user: SimUser, _ info: RequestInfo) {
        self.init(user: user, verb: info.verb, group: info.group, version: info.version, resource: info.resource,
                  subresource: info.subresource ?? "", namespace: info.namespace ?? "", name: info.name ?? "")
    }

    /// "evolutions/status" for a subresource, else the resource.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The 403 the real server sends (responsewriters.Forbidden + apierrors.NewForbidden):
    /// `<resource.group> "<name>" is forbidden: User "<u>" cannot <verb> resource "<r>" in API group "<g>" <scope>[: <reason>]`.
    func forbidden(reason: String = "") -> APIError {
        let action: String
        if !isResourceRequest {
            action = "User \"\(user.name)\" cannot \(verb) path \"\(path)\""
        } else {
            let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
            action = "User \"\(user.name)\" cannot \(verb) resource \"\(combinedResource)\" in API group \"\(group)\" \(scope)"
        }
        return Self.forbidden(group: group, resource: isResourceRequest ? resource : "", name: name,
                              because: reason.isEmpty ? action : "\(action): \(reason)")
    }

    /// apierrors.NewForbidden: the message names the qualified resource and the object when there is one.
    static func forbidden(group: String, resource: String, name: String, because: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        let message: String
        if qualified.isEmpty {
            message = "forbidden: \(because)"
        } else if name.isEmpty {
            message = "\(qualified) is forbidden: \(because)"
        } else {
            message = "\(qualified) \"\(name)\" is forbidden: \(because)"
        }
        var details = JSONObject()
        if !name.isEmpty { details.set("name", .string(name)) }
        if !group.isEmpty { details.set("group", .string(group)) }
        if !resource.isEmpty { details.set("kind", .string(resource)) }
        return APIError(code: 403, reason: "Forbidden", message: message, details: .object(details),
                        headers: [("X-Content-Type-Options", "nosniff")])
    }
}
