import KubeJSON

/// The declared sequence an evolution runs, as its `Declared` entry records it.
///
/// The `detail` of a `Declared` entry:
/// ```json
/// {"sequenceHash": "<16 hex: the plan's content hash, as status and forward correction use it>",
///  "steps": [{"name": "db", "targets": ["us-east", "eu-west"], "sync": "Lockstep", "contentHash": "<16 hex>"},
///            {"name": "api", "targets": ["us-east", "eu-west"], "sync": "Independent", "contentHash": "<16 hex>"}],
///  "edges": [{"from": "db", "to": "api"}]}
/// ```
/// - `steps` in list order, which is the declared start order among runnable steps.
/// - `targets`: the targets the step runs on, in order; an empty list means the step
///   converges as a whole and the controller records its convergence with no target.
/// - `sync` (`Lockstep` when absent) governs the step's outgoing edges: `Lockstep`,
///   successors start on any target only after this step converged on all of its
///   targets; `Independent`, a successor may start on target T once this step
///   converged on T.
/// - `edges`: predecessor → successor, every DAG edge (the spec's `after`, resolved).
/// Unknown members are ignored, so the controller may add more.
public struct DeclaredSequence: Sendable, Equatable {
    public enum SyncMode: String, Sendable, Equatable {
        case lockstep = "Lockstep"
        case independent = "Independent"
    }

    public struct Step: Sendable, Equatable {
        public var name: String
        public var targets: [String]
        public var sync: SyncMode
        /// The step's content hash (objects, checks, timings): what forward correction compares.
        public var contentHash: String?

        public init(name: String, targets: [String], sync: SyncMode = .lockstep, contentHash: String? = nil) {
            self.name = name
            self.targets = targets
            self.sync = sync
            self.contentHash = contentHash
        }
    }

    public struct Edge: Sendable, Hashable, CustomStringConvertible {
        public var from: String
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }

        public var description: String { "\(from) → \(to)" }
    }

    public var steps: [Step]
    public var edges: [Edge]
    public var sequenceHash: String?

    public init(steps: [Step], edges: [Edge], sequenceHash: String? = nil) {
        self.steps = steps
        self.edges = edges
        self.sequenceHash = sequenceHash
    }

    public func step(named name: String) -> Step? { steps.first { $0.name == name } }

    /// The `detail` to record in a `Declared` entry.
    public var detail: JSONObject {
        var o = JSONObject()
        if let sequenceHash { o["sequenceHash"] = .string(sequenceHash) }
        o["steps"] = .array(steps.map { step in
            var s: JSONObject = ["name": .string(step.name), "targets": .array(step.targets.map(JSON.string)), "sync": .string(step.sync.rawValue)]
            if let hash = step.contentHash { s["contentHash"] = .string(hash) }
            return .object(s)
        })
        o["edges"] = .array(edges.map { ["from": .string($0.from), "to": .string($0.to)] })
        return o
    }

    /// Reads a `Declared` entry's detail.
    public init(detail: JSONObject) throws(LedgerQueryError) {
        func fail(_ reason: String) -> LedgerQueryError { .malformedDetail(event: .declared, reason: reason) }
        guard case .array(let rawSteps)? = detail["steps"] else { throw fail("steps: expected an array") }
        var steps: [Step] = []
        for (i, raw) in rawSteps.enumerated() {
            guard case .string(let name)? = raw["name"] else { throw fail("steps[\(i)].name: expected a string") }
            var targets: [String] = []
            if let rawTargets = raw["targets"] {
                guard case .array(let list) = rawTargets else { throw fail("steps[\(i)].targets: expected an array") }
                for t in list {
                    guard case .string(let s) = t else { throw fail("steps[\(i)].targets: expected strings") }
                    targets.append(s)
                }
            }
            var sync = SyncMode.lockstep
            if let rawSync = raw["sync"] {
                guard let s = rawSync.stringValue, let mode = SyncMode(rawValue: s) else {
                    throw fail("steps[\(i)].sync: expected Lockstep or Independent")
                }
                sync = mode
            }
            steps.append(Step(name: name, targets: targets, sync: sync, contentHash: raw["contentHash"]?.stringValue))
        }
        var edges: [Edge] = []
        if let rawEdges = detail["edges"] {
            guard case .array(let list) = rawEdges else { throw fail("edges: expected an array") }
            for (i, raw) in list.enumerated() {
                guard let from = raw["from"]?.stringValue, let to = raw["to"]?.stringValue else {
                    throw fail("edges[\(i)]: expected from and to strings")
                }
                guard steps.contains(where: { $0.name == from }), steps.contains(where: { $0.name == to }) else {
                    throw fail("edges[\(i)]: \(from) → \(to) names an undeclared step")
                }
                edges.append(Edge(from: from, to: to))
            }
        }
        self.init(steps: steps, edges: edges, sequenceHash: detail["sequenceHash"]?.stringValue)
    }
}

/// A query over a ledger whose entries do not have the documented shapes.
public enum LedgerQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedDetail(event: LedgerEvent, reason: String)
    case malformedEntry(seq: Int, reason: String)

    public var description: String {
        switch self {
        case .malformedDetail(let event, let reason): return "\(event) detail: \(reason)"
        case .malformedEntry(let seq, let reason): return "entry seq \(seq): \(reason)"
        }
    }
}
