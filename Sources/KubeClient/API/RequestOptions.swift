import KubeJSON

/// Options of a list request.
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// "" (most recent, from etcd), "0" (any, from the cache) or an exact version.
    public var resourceVersion: String?
    /// "Exact" or "NotOlderThan", with `resourceVersion`.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let labelSelector { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector { q.append(("fieldSelector", fieldSelector)) }
        if let limit { q.append(("limit", String(limit))) }
        if let continueToken { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this version (usually a list's); nil starts with synthetic ADDED events for current state.
    public var resourceVersion: String?
    public var allowBookmarks: Bool
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                allowBookmarks: Bool = true, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var q: [(String, String)] = [("watch", "1")]
        if let labelSelector { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector { q.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if allowBookmarks { q.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// Options shared by create, update and patch.
public struct WriteOptions: Sendable, Equatable {
    /// Validate and run admission without persisting (`dryRun=All`).
    public var dryRun: Bool
    public var fieldManager: String?
    /// "Strict", "Warn" or "Ignore".
    public var fieldValidation: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if dryRun { q.append(("dryRun", "All")) }
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if let fieldValidation { q.append(("fieldValidation", fieldValidation)) }
        return q
    }
}

/// The patch flavours the API server understands.
public enum Patch: Sendable, Equatable {
    /// RFC 7386 JSON merge patch.
    case merge(JSON)
    /// RFC 6902 JSON patch: a list of operations.
    case json([JSON])
    /// Strategic merge patch (built-in kinds only; CRs answer 415).
    case strategicMerge(JSON)
    /// Server-side apply of a full intent; needs `WriteOptions.fieldManager`.
    case apply(JSON, force: Bool)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: [UInt8] {
        switch self {
        case .merge(let j), .strategicMerge(let j), .apply(let j, _): return j.serialized()
        case .json(let ops): return JSON.array(ops).serialized()
        }
    }
}

/// Options of a delete.
public struct DeleteOptions: Sendable, Equatable {
    public enum Propagation: String, Sendable { case orphan = "Orphan", background = "Background", foreground = "Foreground" }
    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int?
    /// Delete only if the object still has this uid / resourceVersion (409 otherwise).
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }

    var body: JSON? {
        var o = JSONObject()
        if let propagationPolicy { o.set("propagationPolicy", .string(propagationPolicy.rawValue)) }
        if let gracePeriodSeconds { o.set("gracePeriodSeconds", .int(Int64(gracePeriodSeconds))) }
        var pre = JSONObject()
        if let preconditionUID { pre.set("uid", .string(preconditionUID)) }
        if let preconditionResourceVersion { pre.set("resourceVersion", .string(preconditionResourceVersion)) }
        if !pre.isEmpty { o.set("preconditions", .object(pre)) }
        if dryRun { o.set("dryRun", ["All"]) }
        guard !o.isEmpty else { return nil }
        o.set("kind", "DeleteOptions")
        o.set("apiVersion", "v1")
        return .object(o)
    }
}

/// One page of a list.
public struct ObjectList: Sendable {
    public var items: [JSON]
    public var resourceVersion: String
    /// Set when more pages remain: pass it back as `ListOptions.continueToken`.
    public var continueToken: String?
}
