import KubeJSON

/// The admin endpoint for fault injection, for tests and demos driven from outside
/// the process (curl, another language): `PUT /kubesim/faults` with
/// `{"seed": 7, "rules": [{"methods": ["GET"], "pathContains": "/configmaps", "rate": 0.1,
///   "effect": {"error": 503}}]}`; effects: `{"error": 500|503|504}`,
/// `{"tooManyRequests": SECONDS}`, `{"latency": SECONDS}`, `{"resetConnection": true}`,
/// `{"closeWatchAfter": EVENTS}`. `DELETE` clears; `GET` shows the active rules.
/// Only members of system:masters may use it.
enum FaultAdmin {
    static let path = "/kubesim/faults"

    static func handle(_ request: APIRequest, user: SimUser, faults: FaultInjector) -> APIResponse {
        guard user.groups.contains("system:masters") else {
            return .object(status: 403, body: APIError(code: 403, reason: "Forbidden",
                                                       message: "User \"\(user.name)\" cannot manage fault injection").status)
        }
        switch request.method {
        case "DELETE":
            faults.set([])
            return .object(status: 200, body: ["rules": []])
        case "GET":
            return .object(status: 200, body: ["rules": .array(faults.rules.map(encode))])
        case "PUT", "POST":
            guard let body = try? JSON.parse(request.body), let items = body["rules"]?.arrayValue else {
                return .object(status: 400, body: APIError.badRequest("expected {\"rules\": [...]} (see the KubeSim fault admin docs)").status)
            }
            var rules: [FaultRule] = []
            for (i, item) in items.enumerated() {
                guard let rule = decode(item) else {
                    return .object(status: 400, body: APIError.badRequest("rules[\(i)]: unknown or missing effect").status)
                }
                rules.append(rule)
            }
            faults.set(rules, seed: body["seed"]?.intValue.map { UInt64(bitPattern: $0) })
            return .object(status: 200, body: ["rules": .array(rules.map(encode))])
        default:
            return .object(status: 405, body: APIError.methodNotAllowed().status)
        }
    }

    static func decode(_ item: JSON) -> FaultRule? {
        guard let effect = item["effect"] else { return nil }
        let parsed: FaultRule.Effect
        if let code = effect["error"]?.intValue { parsed = .error(code: Int(code)) }
        else if let s = effect["tooManyRequests"]?.intValue { parsed = .tooManyRequests(retryAfterSeconds: Int(s)) }
        else if let s = effect["latency"]?.doubleValue { parsed = .latency(seconds: s) }
        else if effect["resetConnection"]?.boolValue == true { parsed = .resetConnection }
        else if let n = effect["closeWatchAfter"]?.intValue { parsed = .closeWatchAfter(events: Int(n)) }
        else { return nil }
        return FaultRule(methods: item["methods"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) },
                         pathContains: item["pathContains"]?.stringValue, rate: item["rate"]?.doubleValue ?? 1, effect: parsed)
    }

    static func encode(_ rule: FaultRule) -> JSON {
        let effect: JSON
        switch rule.effect {
        case .error(let code): effect = ["error": .int(Int64(code))]
        case .tooManyRequests(let s): effect = ["tooManyRequests": .int(Int64(s))]
        case .latency(let s): effect = ["latency": .double(s)]
        case .resetConnection: effect = ["resetConnection": true]
        case .closeWatchAfter(let n): effect = ["closeWatchAfter": .int(Int64(n))]
        }
        var o: JSONObject = ["rate": .double(rule.rate), "effect": effect]
        if let methods = rule.methods { o.set("methods", .array(methods.sorted().map { .string($0) })) }
        if let p = rule.pathContains { o.set("pathContains", .string(p)) }
        return .object(o)
    }
}
