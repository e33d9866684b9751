import Foundation
import KubeClient
import KubeJSON
import KubeSemantics
import Synchronization

/// Calls admission webhooks as the API server does: an `admission.k8s.io/v1` AdmissionReview
/// POSTed over HTTPS (trusting the webhook's `caBundle`), within its `timeoutSeconds`; a
/// refusal or a failed call becomes the error the real server returns.
final class WebhookCaller: Sendable {
    /// One client per webhook URL and CA: its connections are kept between calls.
    private let clients = Mutex<[String: KubeClient]>([:])

    enum Verdict {
        case allowed(patch: JSON?)
        case denied(APIError)
    }

    func call(_ hook: AdmissionWebhook, _ a: AdmissionAttributes) async -> Verdict {
        let uid = RandomUUID.make()
        let review: JSON = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": Self.request(a, uid: uid)]
        let answer: JSON
        do {
            guard let url = hook.url, let target = URL(string: url), let scheme = target.scheme, let host = target.host else {
                throw CallFailure(hook.unreachable ?? "no URL in clientConfig")
            }
            let base = "\(scheme)://\(host)\(target.port.map { ":\($0)" } ?? "")"
            let client = try client(base: base, ca: hook.caBundle, serverName: hook.serverName, timeout: hook.timeoutSeconds)
            let response = try await client.send("POST", target.path.isEmpty ? "/" : target.path, body: review.serialized())
            do { answer = try JSON.parse(response.body) } catch { throw CallFailure("the response is not JSON: \(error)") }
        } catch {
            let reason: String
            switch error {
            case let failure as CallFailure: reason = failure.description
            case let client as KubeClientError: reason = Self.describe(client, timeout: hook.timeoutSeconds)
            default: reason = "\(error)"
            }
            return failed(hook, "failed to call webhook: Post \"\(hook.url ?? "")\": \(reason)")
        }
        guard let response = answer["response"], response["uid"]?.stringValue == uid else {
            return failed(hook, "expected response.uid=\"\(uid)\", got \"\(answer[path: "response", "uid"]?.stringValue ?? "")\"")
        }
        guard response["allowed"]?.boolValue == true else { return .denied(Self.refusal(hook.name, status: response["status"])) }
        guard hook.kind == .mutating, let encoded = response["patch"]?.stringValue else { return .allowed(patch: nil) }
        guard response["patchType"]?.stringValue == "JSONPatch", let bytes = Data(base64Encoded: encoded), let patch = try? JSON.parse(Array(bytes))
        else { return failed(hook, "the response has a patch that is not a base64 JSONPatch") }
        return .allowed(patch: patch)
    }

    /// A call that did not get an answer: allowed under `failurePolicy: Ignore`, else a 500 as the server words it.
    private func failed(_ hook: AdmissionWebhook, _ why: String) -> Verdict {
        if hook.failurePolicy == "Ignore" { return .allowed(patch: nil) }
        return .denied(APIError(code: 500, reason: "InternalError",
                                message: "Internal error occurred: failed calling webhook \"\(hook.name)\": \(why)",
                                details: ["causes": [["message": .string("failed calling webhook \"\(hook.name)\": \(why)")]]]))
    }

    /// The webhook's refusal: its message (or reason) after the server's preamble, its code when it is an error code.
    static func refusal(_ name: String, status: JSON?) -> APIError {
        let denied = "admission webhook \"\(name)\" denied the request"
        let code = status?["code"]?.intValue.map(Int.init).flatMap { (400..<600).contains($0) ? $0 : nil } ?? 400
        let message = status?["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? status?["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        // The webhook's own reason, empty when it gave none (kubectl then prints "Error from server: …").
        return APIError(code: code, reason: status?["reason"]?.stringValue ?? "",
                        message: message.map { "\(denied): \($0)" } ?? "\(denied) without explanation")
    }

    static func request(_ a: AdmissionAttributes, uid: String) -> JSON {
        let kind: JSON = ["group": .string(a.group), "version": .string(a.version), "kind": .string(a.kind)]
        let resource: JSON = ["group": .string(a.group), "version": .string(a.version), "resource": .string(a.resource)]
        var o: JSONObject = ["uid": .string(uid), "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource]
        if let subresource = a.subresource { o["subResource"] = .string(subresource); o["requestSubResource"] = .string(subresource) }
        o["name"] = .string(a.name)
        if let namespace = a.namespace { o["namespace"] = .string(namespace) }
        o["operation"] = .string(a.operation)
        o["userInfo"] = ["username": .string(a.user.name), "groups": .array(a.user.groups.map(JSON.string))]
        o["object"] = a.object
        o["oldObject"] = a.oldObject ?? .null
        o["dryRun"] = .bool(a.dryRun)
        // The request's own options: a PATCH's (an apply that creates, too) are PatchOptions.
        let options = a.operation == "DELETE" ? "DeleteOptions" : a.patch ? "PatchOptions" : a.operation == "CREATE" ? "CreateOptions" : "UpdateOptions"
        o["options"] = a.operation == "DELETE" ? ["apiVersion": "meta.k8s.io/v1", "kind": .string(options)]
            : ["apiVersion": "meta.k8s.io/v1", "kind": .string(options), "fieldManager": .string(a.fieldManager)]
        return .object(o)
    }

    private func client(base: String, ca: [UInt8]?, serverName: String?, timeout: Int) throws -> KubeClient {
        let key = "\(base)#\(ca.map { Data($0).base64EncodedString() } ?? "")#\(serverName ?? "")#\(timeout)"
        if let known = clients.withLock({ $0[key] }) { return known }
        var config = RESTConfig(server: base)
        config.certificateAuthorityData = ca
        config.tlsServerName = serverName
        config.timeout = .seconds(max(1, min(timeout, 30)))
        config.retry = .none
        config.userAgent = "kube-apiserver-admission"
        let client = try KubeClient(config: config)
        clients.withLock { $0[key] = client }
        return client
    }

    private static func describe(_ error: KubeClientError, timeout: Int) -> String {
        if case .api(let status) = error { return "the webhook answered HTTP \(status.code): \(status.message)" }
        let text = "\(error)"
        return text.lowercased().contains("timed out") ? "context deadline exceeded (timeout \(timeout)s)" : text
    }

    struct CallFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
