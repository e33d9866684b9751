import Foundation
import KubeJSON

/// Bound ServiceAccount tokens (TokenRequest, authentication.k8s.io/v1), as
/// `kubectl create token NAME` asks for them: POST
/// `/api/v1/namespaces/NS/serviceaccounts/NAME/token` answers 201 with
/// `status.token`. A token authenticates as `system:serviceaccount:NS:NAME` in
/// the groups `system:serviceaccounts`, `system:serviceaccounts:NS` and
/// `system:authenticated` until it expires or its account is deleted (the real
/// server checks the bound account's uid on every request).
struct IssuedToken: Sendable {
    var namespace: String
    var name: String
    var uid: String
    var expires: Date
}

extension APIServer {
    static let serviceAccounts = TypeKey(group: "", plural: "serviceaccounts")

    /// The ServiceAccount a bearer token was issued for, if it is still valid.
    func serviceAccountUser(token: String) -> SimUser? {
        guard let issued = issuedTokens[token], issued.expires > clock(),
              let account = store.get(Self.serviceAccounts, namespace: issued.namespace, name: issued.name),
              account[path: "metadata", "uid"]?.stringValue == issued.uid else { return nil }
        return SimUser(name: ServiceAccountName.username(namespace: issued.namespace, name: issued.name),
                       groups: ServiceAccountName.groups(namespace: issued.namespace) + ["system:authenticated"])
    }

    func createToken(_ c: RequestContext) throws -> APIResponse {
        let namespace = c.namespace ?? "default"
        let name = c.info.name ?? ""
        guard let account = store.get(Self.serviceAccounts, namespace: namespace, name: name) else {
            throw APIError.notFound(c.type, name)
        }
        let request = c.request.body.isEmpty ? JSON.object([:]) : try c.body("TokenRequest")
        var seconds = request[path: "spec", "expirationSeconds"]?.intValue ?? 3600
        if seconds < 600 {
            throw APIError(code: 422, reason: "Invalid",
                           message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: spec.expirationSeconds: Invalid value: \(seconds): may not specify a duration less than 10 minutes",
                           details: APIError.details(name: name, group: "authentication.k8s.io", kind: "TokenRequest",
                                                     causes: [.invalid("spec.expirationSeconds", .int(seconds), "may not specify a duration less than 10 minutes")]))
        }
        seconds = min(seconds, 48 * 3600)
        let expires = clock().addingTimeInterval(TimeInterval(seconds))
        var token = "kubesim-sa."
        for _ in 0..<4 { token += String(UInt64.random(in: .min ... .max), radix: 16) }
        if !c.dryRun {
            issuedTokens[token] = IssuedToken(namespace: namespace, name: name, uid: account[path: "metadata", "uid"]?.stringValue ?? "",
                                              expires: expires)
        }
        let audiences = request[path: "spec", "audiences"] ?? ["https://kubernetes.default.svc.cluster.local"]
        let response: JSON = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(timestamp())],
            "spec": ["audiences": audiences, "expirationSeconds": .int(seconds), "boundObjectRef": request[path: "spec", "boundObjectRef"] ?? .null],
            "status": ["token": .string(c.dryRun ? "" : token), "expirationTimestamp": .string(Timestamps.format(expires))],
        ]
        return .object(status: 201, body: response)
    }

    /// The ServiceAccount controller's one job here: every namespace gets a "default" account.
    func ensureDefaultServiceAccount(namespace: String) {
        guard options.serviceAccountController,
              !store.contains(Self.serviceAccounts, namespace: namespace, name: "default") else { return }
        let account: JSON = ["apiVersion": "v1", "kind": "ServiceAccount",
                             "metadata": ["name": "default", "namespace": .string(namespace), "uid": .string(RandomUUID.make()),
                                          "creationTimestamp": .string(timestamp())]]
        store.put(Self.serviceAccounts, namespace: namespace, name: "default", account)
    }
}
