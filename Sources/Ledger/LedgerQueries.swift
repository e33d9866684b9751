import KubeJSON

/// The audit questions, answered from one evolution's entries: what changed,
/// in what order (declared beside actual), who initiated each transition, and
/// whether convergence was confirmed before each successor advanced.
///
/// Ordering is the ledger's: "before" means a smaller seq, which the hash chain
/// fixes; timestamps are reported as the evidence people read, but two entries
/// in the same millisecond are still ordered.
///
/// Entries before the first `Declared` count for `changes` and `transitions` only.
/// Each `Declared` entry (one per generation the controller planned) opens a
/// section that runs until the next one.
public struct LedgerQueries: Sendable {
    public let entries: [LedgerEntry]

    public init(entries: [LedgerEntry]) {
        self.entries = entries
    }

    /// What changed: the objects of every `Applied` entry, in ledger order.
    public func changes() throws(LedgerQueryError) -> [AppliedChange] {
        var result: [AppliedChange] = []
        for entry in entries where entry.event == .applied {
            let objects: [AppliedObject]
            do { objects = try AppliedObject.objects(inDetail: entry.detail) } catch {
                throw .malformedEntry(seq: entry.seq, reason: error.description)
            }
            result.append(AppliedChange(stamp: LedgerStamp(entry), generation: entry.generation, step: entry.step,
                                        target: entry.target, actor: entry.actor, stepContentHash: entry.detail["contentHash"]?.stringValue,
                                        objects: objects))
        }
        return result
    }

    /// Who initiated each transition: every state-changing entry (`LedgerEvent.isTransition`) with its actor.
    public func transitions() -> [Transition] {
        entries.filter(\.event.isTransition).map {
            Transition(stamp: LedgerStamp($0), generation: $0.generation, event: $0.event,
                       step: $0.step, target: $0.target, actor: $0.actor)
        }
    }

    /// Declared order beside actual order, and the per-edge convergence audit, per Declared section.
    public func sections() throws(LedgerQueryError) -> [DeclaredSection] {
        var sections: [DeclaredSection] = []
        var starts = entries.indices.filter { entries[$0].event == .declared }
        starts.append(entries.count)
        for (n, begin) in starts.dropLast().enumerated() {
            let declaredEntry = entries[begin]
            let declared: DeclaredSequence
            do {
                declared = try DeclaredSequence(detail: declaredEntry.detail)
            } catch {
                throw .malformedEntry(seq: declaredEntry.seq, reason: error.description)
            }
            let body = entries[(begin + 1)..<starts[n + 1]]
            sections.append(Self.section(declared, at: declaredEntry, body: body))
        }
        return sections
    }

    /// The per-edge audit of the latest Declared section (the current generation's plan).
    public func convergenceAudit() throws(LedgerQueryError) -> [EdgeAudit] {
        try sections().last?.edges ?? []
    }

    static func section(_ declared: DeclaredSequence, at declaredEntry: LedgerEntry,
                        body: ArraySlice<LedgerEntry>) -> DeclaredSection {
        // First start per (step, target), and every convergence per (step, target).
        struct Key: Hashable { var step: String; var target: String? }
        var firstStart: [Key: LedgerEntry] = [:]
        var startsByStep: [String: [LedgerEntry]] = [:]
        var convergences: [Key: [LedgerStamp]] = [:]
        for entry in body {
            guard let step = entry.step else { continue }
            let key = Key(step: step, target: entry.target)
            switch entry.event {
            case .stepStarted:
                if firstStart[key] == nil {
                    firstStart[key] = entry
                    startsByStep[step, default: []].append(entry)
                }
            case .stepConverged:
                convergences[key, default: []].append(LedgerStamp(entry))
            default: break
            }
        }

        // Actual order: every (step, target) declared or seen, ordered by first start.
        var activities: [StepActivity] = []
        var seen = Set<Key>()
        func activity(_ key: Key) -> StepActivity {
            let start = firstStart[key]
            let converged = convergences[key]?.first { start == nil || $0.seq > start!.seq }
            return StepActivity(step: key.step, target: key.target, started: start.map(LedgerStamp.init),
                                startedBy: start?.actor, converged: converged)
        }
        for step in declared.steps {
            for target in step.targets.isEmpty ? [nil] : step.targets.map(Optional.some) {
                let key = Key(step: step.name, target: target)
                seen.insert(key)
                activities.append(activity(key))
            }
        }
        for key in firstStart.keys.sorted(by: { firstStart[$0]!.seq < firstStart[$1]!.seq }) where !seen.contains(key) {
            activities.append(activity(key))
        }
        let declaredIndex = Dictionary(uniqueKeysWithValues: activities.enumerated().map { (Key(step: $1.step, target: $1.target), $0) })
        activities.sort { a, b in
            switch (a.started, b.started) {
            case let (x?, y?): return x.seq < y.seq
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil):
                return declaredIndex[Key(step: a.step, target: a.target)]! < declaredIndex[Key(step: b.step, target: b.target)]!
            }
        }

        // The audit, edge by edge.
        var audits: [EdgeAudit] = []
        for edge in declared.edges {
            guard let predecessor = declared.step(named: edge.from) else { continue }
            let successorStarts = (startsByStep[edge.to] ?? []).sorted { $0.seq < $1.seq }
            func requirement(_ target: String?, before start: LedgerEntry) -> EdgeAudit.Requirement {
                let stamps = convergences[Key(step: predecessor.name, target: target)] ?? []
                if let proof = stamps.last(where: { $0.seq < start.seq }) {
                    return EdgeAudit.Requirement(target: target, converged: proof, inTime: true)
                }
                return EdgeAudit.Requirement(target: target, converged: stamps.first, inTime: false)
            }
            let allTargets: [String?] = predecessor.targets.isEmpty ? [nil] : predecessor.targets.map(Optional.some)
            var checks: [EdgeAudit.Check] = []
            switch predecessor.sync {
            case .lockstep:
                // The successor's first start anywhere must follow convergence on every target.
                if let first = successorStarts.first {
                    checks.append(EdgeAudit.Check(successorTarget: first.target, successorStarted: LedgerStamp(first),
                                                  required: allTargets.map { requirement($0, before: first) }))
                }
            case .independent:
                // Each start on T must follow convergence on T (or on every target, if the
                // predecessor does not run on T).
                for start in successorStarts {
                    let needed: [String?] = start.target.map { predecessor.targets.contains($0) } == true ? [start.target] : allTargets
                    checks.append(EdgeAudit.Check(successorTarget: start.target, successorStarted: LedgerStamp(start),
                                                  required: needed.map { requirement($0, before: start) }))
                }
            }
            let verdict: EdgeAudit.Verdict = checks.isEmpty ? .notStarted : checks.allSatisfy(\.confirmed) ? .confirmed : .violated
            audits.append(EdgeAudit(edge: edge, sync: predecessor.sync, verdict: verdict, checks: checks))
        }
        return DeclaredSection(declared: declared, declaredAt: LedgerStamp(declaredEntry),
                               generation: declaredEntry.generation, actual: activities, edges: audits)
    }
}
