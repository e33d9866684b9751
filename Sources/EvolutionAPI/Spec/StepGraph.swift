/// The `after` relation of a list of steps as a graph, with the orders the
/// engine needs. Assumes names are unique and `after` names exist (the
/// validator guarantees both); unknown names are ignored.
public struct StepGraph: Sendable {
    public let names: [String]
    /// Index → indices of its predecessors, in declared order.
    public let predecessors: [[Int]]
    /// Index → indices of its successors, in list order.
    public let successors: [[Int]]
    private let indexByName: [String: Int]

    public init(_ steps: [Step]) {
        names = steps.map(\.name)
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        indexByName = index
        let preds = steps.map { $0.after.compactMap { index[$0] } }
        var succs = Array(repeating: [Int](), count: steps.count)
        for (i, p) in preds.enumerated() { for j in p { succs[j].append(i) } }
        predecessors = preds
        successors = succs
    }

    public func index(of name: String) -> Int? { indexByName[name] }

    /// Every step reachable through `successors` from `start` (not including it).
    public func descendants(of start: Int) -> Set<Int> {
        var seen = Set<Int>()
        var stack = successors[start]
        while let n = stack.popLast() {
            if seen.insert(n).inserted { stack += successors[n] }
        }
        return seen
    }

    /// The first cycle found (walking steps in list order), as names with the
    /// first repeated at the end: `["a", "b", "a"]`; `nil` for a DAG.
    public func firstCycle() -> [String]? {
        var state = Array(repeating: 0, count: names.count)  // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ n: Int) -> [String]? {
            state[n] = 1
            stack.append(n)
            for p in predecessors[n] {
                if state[p] == 1 {
                    // Predecessor edges point backwards; report in execution order.
                    let from = stack.firstIndex(of: p)!
                    var cycle = Array(Array(stack[from...]).reversed())
                    // Start at the step listed first, whose `after` closes the cycle.
                    let first = cycle.firstIndex(of: cycle.min()!)!
                    cycle = Array(cycle[first...] + cycle[..<first])
                    return (cycle + [cycle[0]]).map { names[$0] }
                }
                if state[p] == 0, let c = visit(p) { return c }
            }
            stack.removeLast()
            state[n] = 2
            return nil
        }
        for n in names.indices where state[n] == 0 {
            if let c = visit(n) { return c }
        }
        return nil
    }
}
