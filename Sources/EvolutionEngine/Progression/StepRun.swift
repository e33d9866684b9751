import EvolutionAPI

/// A list of steps being carried out (the forward steps, or the compensation
/// sequence) with their states, index-aligned.
struct StepRun {
    let steps: [Step]
    let graph: StepGraph
    let isCompensation: Bool
    var states: [StepState]

    init(steps: [Step], states: [StepState], isCompensation: Bool) {
        self.steps = steps
        self.graph = StepGraph(steps)
        self.isCompensation = isCompensation
        self.states = states
    }

    func targetIndex(_ step: Int, _ target: String) -> Int? {
        states[step].targets.firstIndex { $0.name == target }
    }

    func isConverged(_ step: Int, on target: String) -> Bool {
        states[step].target(target)?.phase == .converged
    }

    func isConvergedEverywhere(_ step: Int) -> Bool {
        states[step].targets.allSatisfy { $0.phase == .converged }
    }

    var isConverged: Bool { states.indices.allSatisfy(isConvergedEverywhere) }

    var inFlight: [(step: String, target: String)] {
        states.flatMap { s in
            s.targets.filter { $0.phase == .applying || $0.phase == .converging }.map { (s.name, $0.name) }
        }
    }

    /// The first failed (step, target), in plan order.
    var firstFailure: (step: Int, target: Int)? {
        for (i, s) in states.enumerated() {
            if let t = s.targets.firstIndex(where: { $0.phase == .failed }) { return (i, t) }
        }
        return nil
    }

    /// Whether predecessor `p` lets its successor start on `target`, and if
    /// not, what it is waiting for. Lockstep (and Independent when `target`
    /// is not among `p`'s targets) needs `p` converged on all its targets;
    /// Independent needs it converged on `target` only.
    func predecessorBlocks(_ p: Int, on target: String) -> String? {
        let pred = steps[p]
        if pred.sync == .independent, pred.targets.contains(target) {
            return isConverged(p, on: target) ? nil : "waits for \(pred.name) on \(target)"
        }
        guard let pending = states[p].targets.first(where: { $0.phase != .converged }) else { return nil }
        let mode = pred.sync == .lockstep ? "Lockstep" : "Independent, \(target) is not among its targets"
        return "waits for \(pred.name) to converge on every target (\(mode)); \(pending.name) is \(pending.phase.rawValue)"
            + (pending.message.isEmpty ? "" : ": \(pending.message)")
    }
}
