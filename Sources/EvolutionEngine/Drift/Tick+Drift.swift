import EvolutionAPI
import KubeJSON
import KubeSemantics

// Drift: departures from what the steps applied, found on every decision from the watched
// objects, recorded once each (status remembers the hash of every change it recorded), and
// handled as spec.drift.policy says: Report, Revert (with backoff against a writer that fights
// back) or Adopt.

extension Tick {
    /// A departure within this long after a revert is the same writer fighting it.
    static let contestWindow = GoDuration.minutes(5)
    /// How long a departure waits for its admission journal entry, which the webhook stores
    /// behind its answer (so the write can land first), looking again this often.
    static let journalGrace = GoDuration.seconds(2)
    static let journalRecheck = GoDuration.milliseconds(100)

    mutating func tendDrift() {
        absorbBaselines()
        absorbReverts()
        forgetUnowned()
        resealFreeze()
        for key in status.drift.owned.map({ ($0.target, $0.object) }) {
            guard let i = status.drift.owned.firstIndex(where: { $0.target == key.0 && $0.object == key.1 }) else { continue }
            inspect(i)
        }
        let open = status.drift.deviations.filter(\.isOpen)
        let resolved = status.drift.deviations.filter { !$0.isOpen }.sorted { ($0.resolvedAt ?? $0.detectedAt) > ($1.resolvedAt ?? $1.detectedAt) }
        status.drift.deviations = open + resolved.prefix(DriftStatus.recentResolved)
        status.drifted = open.count
    }

    /// What each reported apply left Causeway owning; a late answer never replaces a newer one.
    private mutating func absorbBaselines() {
        // Whatever the outcome: objects applied before a later one failed are Causeway's writes too.
        for result in input.observations.applyResults {
            for baseline in result.baselines {
                guard let i = ownedIndex(baseline.target, baseline.object) else { status.drift.owned.append(baseline); continue }
                let known = status.drift.owned[i]
                guard !ResourceVersion.isOlder(baseline.resourceVersion, than: known.resourceVersion) else { continue }
                var next = baseline
                next.reverts = known.reverts
                next.failedReverts = known.failedReverts
                next.revertedAt = known.revertedAt
                status.drift.owned[i] = next
            }
        }
    }

    private mutating func absorbReverts() {
        for result in input.observations.applyResults where result.revert {
            switch result.outcome {
            case .applied:
                for baseline in result.baselines {
                    if let i = ownedIndex(baseline.target, baseline.object) { status.drift.owned[i].failedReverts = 0 }
                    guard let d = openDeviation(baseline.target, baseline.object) else { continue }
                    let found = status.drift.deviations[d].record
                    close(d, as: .reverted)
                    record(.reverted, step: found.step, target: found.target, key: "\(found.object)/\(found.liveHash ?? "deleted")",
                           detail: ["object": found.object.json, "liveHash": found.liveHash.map(JSON.string) ?? .null,
                                    "baselineHash": .string(baseline.valuesHash),
                                    "resourceVersion": baseline.resourceVersion.map(JSON.string) ?? .null])
                    emit(.normal, "DriftReverted", "reverted \(found.object) on \(found.target) to what \(found.step) applied (\(found.who) had changed it)")
                }
            case .failed(let reason, let message, _):
                // Backs off on its own count (a refusal is not a fight): the next attempt waits 1 s, 2 s, 4 s ...
                var reverting = false
                for i in status.drift.owned.indices where status.drift.owned[i].target == result.target && status.drift.owned[i].step == result.step {
                    let deviated = openDeviation(result.target, status.drift.owned[i].object) != nil
                    guard deviated || status.drift.owned[i].frozen != spec.drift.freeze else { continue }
                    reverting = reverting || deviated
                    status.drift.owned[i].failedReverts += 1
                    status.drift.owned[i].revertedAt = now
                }
                // Re-applying to change the governance mark (a freeze turned on or off) is not a revert: said as what it is.
                emit(.warning, "RevertFailed", (reverting ? "reverting \(result.step)" : "re-applying \(result.step) with the spec.drift.freeze mark")
                     + " on \(result.target) failed: \(reason): \(message); trying again with backoff")
            }
        }
    }

    /// Objects whose governance mark says otherwise than `spec.drift.freeze` get it re-applied
    /// (what the step applied, with the mark as the spec now says), so a freeze turned on or off
    /// reaches what is already converged. One holding another writer's change waits: re-applying
    /// would revert it, which only the drift policy decides.
    private mutating func resealFreeze() {
        for (i, owned) in status.drift.owned.enumerated() where owned.frozen != spec.drift.freeze && openDeviation(owned.target, owned.object) == nil {
            if owned.failedReverts > 0, let last = owned.revertedAt, now < last + ApplyBackoff.delay(afterAttempt: owned.failedReverts) {
                wake(at: last + ApplyBackoff.delay(afterAttempt: owned.failedReverts))
                continue
            }
            guard let holder = (spec.steps + spec.onFailure.compensation).first(where: { step in
                step.name == owned.step && step.targets.contains(owned.target) && step.contentHash == owned.contentHash
            }), let manifest = holder.manifest(for: owned.object) else { continue }
            actions.append(.apply(ApplyAction(step: holder.name, target: owned.target, contentHash: holder.contentHash, objects: [manifest],
                                              attempt: 1, compensation: !spec.steps.contains { $0.name == holder.name }, revert: true,
                                              freeze: spec.drift.freeze)))
            status.drift.owned[i].revertedAt = now
        }
    }

    /// The person behind a departure, from the admission journal of the object's namespace on its
    /// target: the users of the newest journaled write that left exactly the live values (or
    /// deleted the object), made on a version not older than `since` (the last one seen otherwise:
    /// Causeway's apply, or the previous departure), so an older write of the same values is never
    /// named for a newer one whose entry is missing. Never a guess: when no entry matches,
    /// `journal` says so and lists who else changed the owned fields since, without naming them.
    /// `awaitsEntry`: the journal holds no such write yet, or was not read yet (it may be on its way).
    private func attributed(_ found: DeviationRecord, owned: OwnedObject, live: JSON?, since: String?) -> (record: DeviationRecord, awaitsEntry: Bool) {
        var found = found
        switch input.observations.journal(for: owned.object, on: owned.target) {
        case nil:
            found.journal = input.observations.journalsEnabled ? "the admission journal was not read in time"
                : "no admission journal read (causeway webhook names the person: install Deploy/overlays/webhook, which runs the controller with --admission-webhook)"
            return (found, input.observations.journalsEnabled)
        case .unavailable(let why):
            found.journal = why
        case .entries(let entries):
            let sinceThen = entries.filter { entry in
                entry.allowed && !entry.dryRun && entry.object.sameObject(as: owned.object)
                    && (found.kind == .deleted) == (entry.operation == "DELETE")
                    && !(entry.oldResourceVersion.map { ResourceVersion.isOlder($0, than: since) } ?? true)
            }
            // Hashed over the mark's fields, as the webhook hashed what the write left.
            let liveHash = live.flatMap(GovernanceMark.joinHash(of:))
            let matching = sinceThen.filter { found.kind == .deleted || ($0.ownedHash != nil && $0.ownedHash == liveHash) }
            let newest = matching.compactMap(\.oldResourceVersion).max { ResourceVersion.isOlder($0, than: $1) }
            let writers = matching.filter { $0.oldResourceVersion == newest }
            guard !writers.isEmpty else {
                let others = Array(Set(sinceThen.map(\.user))).sorted()
                found.journal = "the admission journal holds no write that left these values (the webhook was down or skipped it: failurePolicy Ignore)"
                    + (others.isEmpty ? "" : "; since Causeway's apply its fields were also changed by \(others.joined(separator: ", "))")
                return (found, true)
            }
            found.people = Array(Set(writers.map(\.user))).sorted()
            found.breakGlass = Array(Set(writers.compactMap(\.breakGlass))).sorted()
        }
        return (found, false)
    }

    /// An object no step of this spec applies any more is no longer Causeway's to watch over.
    private mutating func forgetUnowned() {
        let steps = spec.steps + spec.onFailure.compensation
        let kept = status.drift.owned.filter { owned in
            steps.contains { $0.targets.contains(owned.target) && $0.manifest(for: owned.object) != nil }
        }
        guard kept.count != status.drift.owned.count else { return }
        status.drift.owned = kept
        status.drift.deviations.removeAll { deviation in
            deviation.isOpen && !kept.contains { $0.target == deviation.record.target && $0.object == deviation.record.object }
        }
    }

    private mutating func inspect(_ i: Int) {
        let owned = status.drift.owned[i]
        let live: JSON?
        /// The version the departure was seen at: with the baseline, what makes a change distinct in the ledger.
        let version: String
        if let seen = input.observations.object(owned.object, on: owned.target) {
            live = seen
            version = ResourceVersion.of(seen) ?? ""
        } else {
            // Unseen is not gone: only a watch that has caught up with the apply says so.
            guard let upTo = input.observations.absent[owned.target]?[owned.object],
                  !ResourceVersion.isOlder(upTo, than: owned.resourceVersion) else { return }
            live = nil
            version = upTo
        }
        let open = openDeviation(owned.target, owned.object)
        guard var found = DriftInspection.inspect(owned, live: live).map({ found -> DeviationRecord in
            var seen = found
            seen.resourceVersion = version
            return seen
        }) else {
            status.drift.owned[i].awaitingJournalSince = nil
            if let open {
                close(open, as: .cleared)
                emit(.normal, "DriftCleared", "\(owned.object) on \(owned.target) holds what \(owned.step) applied again")
            }
            return
        }
        let known = open.map { status.drift.deviations[$0].record }
        let distinct = known == nil || known?.liveHash != found.liveHash
        if distinct {
            let journaled = attributed(found, owned: owned, live: live, since: known?.resourceVersion ?? owned.resourceVersion)
            if journaled.awaitsEntry {
                let since = owned.awaitingJournalSince ?? now
                if now < since + Self.journalGrace {
                    status.drift.owned[i].awaitingJournalSince = since
                    wake(at: min(now + Self.journalRecheck, since + Self.journalGrace))
                    return
                }
            }
            status.drift.owned[i].awaitingJournalSince = nil
            found = journaled.record
            record(.deviation, step: owned.step, target: owned.target, key: "\(owned.object)/\(owned.valuesHash)@\(version)", detail: found.json)
            emit(.warning, "Drifted", found.summary + " (drift policy \(spec.drift.policy.rawValue))")
            let state = DeviationState(record: found, detectedAt: now)
            if let open { status.drift.deviations[open] = state } else { status.drift.deviations.append(state) }
        } else if let known {
            found = known
            status.drift.owned[i].awaitingJournalSince = nil
        }
        switch spec.drift.policy {
        case .report: break
        case .adopt: adopt(i, found, live: live, version: version)
        case .revert: revert(i, found, counting: distinct, version: version)
        }
    }

    /// The live values become the baseline; a deletion ends what Causeway owned there.
    private mutating func adopt(_ i: Int, _ found: DeviationRecord, live: JSON?, version: String) {
        let owned = status.drift.owned[i]
        if let live, let liveHash = found.liveHash {
            status.drift.owned[i].valuesHash = liveHash
            status.drift.owned[i].resourceVersion = ResourceVersion.of(live)
        } else {
            status.drift.owned.remove(at: i)
        }
        if let d = openDeviation(owned.target, owned.object) { close(d, as: .adopted) }
        var detail = found.json
        detail["adoptedHash"] = found.liveHash.map(JSON.string) ?? .null
        record(.adopted, step: owned.step, target: owned.target, key: "\(owned.object)/\(owned.valuesHash)@\(version)", detail: detail)
        emit(.normal, "DriftAdopted", "adopted as the new baseline: " + found.summary)
    }

    /// Re-applies the step's intent for the object: at once the first time, then with backoff
    /// (1 s, 2 s, 4 s ... 5 min) while another writer keeps changing it back, which is recorded once.
    private mutating func revert(_ i: Int, _ found: DeviationRecord, counting distinct: Bool, version: String) {
        var owned = status.drift.owned[i]
        if distinct {
            let fighting = owned.revertedAt.map { now < $0 + Self.contestWindow } ?? false
            owned.reverts = fighting ? owned.reverts + 1 : 1
            if owned.reverts == 2 {
                record(.driftContested, step: owned.step, target: owned.target, key: "\(owned.object)@\(version)",
                       detail: ["object": owned.object.json, "manager": found.manager.map(JSON.string) ?? .null, "who": .string(found.who)])
                emit(.warning, "DriftContested", "\(found.who) keeps changing \(owned.object) on \(owned.target) back; reverting with backoff")
            }
        }
        if let d = openDeviation(owned.target, owned.object), owned.reverts >= 2 { status.drift.deviations[d].state = .contested }
        let fight = owned.reverts <= 1 ? GoDuration(nanoseconds: 0) : ApplyBackoff.delay(afterAttempt: owned.reverts - 1)
        let refused = owned.failedReverts == 0 ? GoDuration(nanoseconds: 0) : ApplyBackoff.delay(afterAttempt: owned.failedReverts)
        let due = owned.revertedAt.map { $0 + max(fight, refused) } ?? now
        // Only the content that was applied is re-applied: a step whose content changed since (a new
        // generation not started yet) waits for its turn, and the deviation is reported meanwhile.
        let holder = (spec.steps + spec.onFailure.compensation).first { step in
            step.name == owned.step && step.targets.contains(owned.target) && (owned.contentHash == nil || step.contentHash == owned.contentHash)
        }
        if let holder, let manifest = holder.manifest(for: owned.object) {
            if now < due {
                wake(at: due)
            } else {
                owned.revertedAt = now
                actions.append(.apply(ApplyAction(step: holder.name, target: owned.target, contentHash: holder.contentHash, objects: [manifest],
                                                  attempt: owned.reverts + owned.failedReverts,
                                                  compensation: !spec.steps.contains { $0.name == holder.name }, revert: true,
                                                  freeze: spec.drift.freeze)))
            }
        } else if distinct {
            emit(.warning, "DriftNotReverted", "\(owned.object) on \(owned.target) is not reverted: \(owned.step)'s content changed since it applied it, so the step's next run applies the new content")
        }
        status.drift.owned[i] = owned
    }

    private mutating func close(_ d: Int, as state: DeviationState.State) {
        status.drift.deviations[d].state = state
        status.drift.deviations[d].resolvedAt = now
    }

    private func ownedIndex(_ target: String, _ object: ObjectKey) -> Int? {
        status.drift.owned.firstIndex { $0.target == target && $0.object == object }
    }

    private func openDeviation(_ target: String, _ object: ObjectKey) -> Int? {
        status.drift.deviations.firstIndex { $0.isOpen && $0.record.target == target && $0.record.object == object }
    }
}
