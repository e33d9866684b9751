import KubeJSON
import KubeSemantics

/// A failed request, rendered as the API server's Status body (KUBE-API.md §6).
struct APIError: Error {
    var code: Int
    /// Empty for the server's reason-less 500s.
    var reason: String
    var message: String
    var details: JSON?
    var headers: [(String, String)] = []
    /// Unknown paths are answered in text/plain, not with a Status.
    var plainText = false

    var status: JSON {
        var o: JSONObject = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message)]
        if !reason.isEmpty { o.set("reason", .string(reason)) }
        if let details { o.set("details", details) }
        o.set("code", .int(Int64(code)))
        return .object(o)
    }

    static func details(name: String? = nil, group: String, kind: String, uid: String? = nil, causes: [FieldError] = []) -> JSON {
        var d = JSONObject()
        if let name { d.set("name", .string(name)) }
        if !group.isEmpty { d.set("group", .string(group)) }
        d.set("kind", .string(kind))
        if let uid { d.set("uid", .string(uid)) }
        if !causes.isEmpty {
            d.set("causes", .array(causes.map { ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)] }))
        }
        return .object(d)
    }

    static let pageNotFound = APIError(code: 404, reason: "NotFound", message: "404 page not found", plainText: true)

    static func notFound(_ t: ResourceType, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(t.qualifiedResource) \"\(name)\" not found",
                 details: details(name: name, group: t.group, kind: t.plural))
    }

    static func alreadyExists(_ t: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(t.qualifiedResource) \"\(name)\" already exists",
                 details: details(name: name, group: t.group, kind: t.plural))
    }

    static func conflict(_ t: ResourceType, _ name: String, _ why: String = "the object has been modified; please apply your changes to the latest version and try again") -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(t.qualifiedResource) \"\(name)\": \(why)",
                 details: details(name: name, group: t.group, kind: t.plural))
    }

    static func invalid(_ t: ResourceType, _ name: String, _ causes: [FieldError]) -> APIError {
        let rendered = causes.map { "\($0.field): \($0.message)" }
        let list = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        let qualifiedKind = t.group.isEmpty ? t.kind : "\(t.kind).\(t.group)"
        return APIError(code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(list)",
                        details: details(name: name, group: t.group, kind: t.kind, causes: causes))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message, details: [:])
    }

    static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "", message: message)
    }

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static let unsupportedPatch = APIError(
        code: 415, reason: "UnsupportedMediaType",
        message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
}
