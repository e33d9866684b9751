import KubeJSON

/// One condition that must hold on a target before a step counts as converged.
///
/// "Applied" is not "converged": the API server accepting an object says
/// nothing about whether the system absorbed it. Every step therefore has at
/// least one check; when the user declares none, it is `current` for every
/// object the step applies.
public enum ConvergenceCheck: Sendable, Hashable {
    /// kstatus "Current": the object's own controller caught up and reports it
    /// ready. `nil` means every object the step applies.
    case current(ObjectKey?)
    case condition(ConditionCheck)
    case jsonPath(JSONPathCheck)

    /// The object this check reads, when it names one.
    public var object: ObjectKey? {
        switch self {
        case .current(let o): return o
        case .condition(let c): return c.object
        case .jsonPath(let j): return j.object
        }
    }

    public var json: JSON {
        switch self {
        case .current(let o): return ["current": .object(o.map { ["object": $0.json] } ?? [:])]
        case .condition(let c):
            return ["condition": ["object": c.object.json, "type": .string(c.type), "status": .string(c.status)]]
        case .jsonPath(let j):
            var o: JSONObject = ["object": j.object.json, "path": .string(j.path.text)]
            switch j.predicate {
            case .equals(let v): o["equals"] = v
            case .oneOf(let vs): o["in"] = .array(vs)
            case .exists(let b): o["exists"] = .bool(b)
            case .matches(let r): o["matches"] = .string(r)
            case .equalsField(let p): o["equalsField"] = .string(p.text)
            }
            return ["jsonPath": .object(o)]
        }
    }
}

/// A status condition of `type` must have `status` (default `"True"`).
public struct ConditionCheck: Sendable, Hashable {
    public static let statuses = ["True", "False", "Unknown"]
    public var object: ObjectKey
    public var type: String
    public var status: String

    public init(object: ObjectKey, type: String, status: String = "True") {
        self.object = object
        self.type = type
        self.status = status
    }
}

/// The value at `path` in `object` must satisfy `predicate`.
public struct JSONPathCheck: Sendable, Hashable {
    public enum Predicate: Sendable, Hashable {
        /// Equal as JSON values (`1` equals `1.0`; `"1"` does not equal `1`).
        case equals(JSON)
        /// Equal to one of these values.
        case oneOf([JSON])
        /// Present (`true`) or absent (`false`).
        case exists(Bool)
        /// A string (numbers and booleans in their JSON text) containing a match
        /// of this regular expression; unanchored like Go's `regexp.MatchString`.
        case matches(String)
        /// Equal to the value at another path of the same object, e.g.
        /// `.status.observedGeneration` equalsField `.metadata.generation`.
        case equalsField(JSONPath)
    }

    public var object: ObjectKey
    public var path: JSONPath
    public var predicate: Predicate

    public init(object: ObjectKey, path: JSONPath, predicate: Predicate) {
        self.object = object
        self.path = path
        self.predicate = predicate
    }
}
