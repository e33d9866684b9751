import EvolutionAPI

extension EvolutionEngine {
    /// What the controller must watch: per target, every object a step
    /// applies or a check reads, for the forward steps and, once a
    /// compensation started, for its steps within its scope. Convergence is
    /// noticed from watch events on these objects, not by polling.
    public static func observedObjects(spec: EvolutionSpec, status: EvolutionStatus) -> [String: [ObjectKey]] {
        var steps = spec.steps
        if let compensation = status.compensation {
            steps += spec.onFailure.compensation.map { step in
                var s = step
                if !s.targetsDeclared { s.targets = compensation.scope }
                return s
            }
        }
        var result: [String: [ObjectKey]] = [:]
        var seen: [String: Set<ObjectKey>] = [:]
        for step in steps {
            for target in step.targets {
                for key in step.observedObjects where seen[target, default: []].insert(key).inserted {
                    result[target, default: []].append(key)
                }
            }
        }
        // What Causeway owns stays watched after its step converged: changes to it are drift.
        for owned in status.drift.owned where seen[owned.target, default: []].insert(owned.object).inserted {
            result[owned.target, default: []].append(owned.object)
        }
        return result
    }
}
