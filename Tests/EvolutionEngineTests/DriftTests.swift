import EvolutionAPI
import EvolutionEngine
import KubeJSON
import KubeSemantics
import Testing

/// Drift, decided: departures from what a step applied are found from the watched objects,
/// attributed from managedFields, recorded once, and handled as the policy says.
@Suite struct DriftTests {
    static let flag = configMap("flag", ["mode": "safe"])

    /// One step applying `flag`, converged, with the server simulated.
    static func converged(_ policy: DriftPolicy = DriftPolicy()) -> Driver {
        var spec = EvolutionSpec(steps: [step("flag", manifests: [flag])])
        spec.drift = policy
        var d = Driver(spec)
        d.server = ServerSimulation()
        d.settle()
        return d
    }

    static let flagKey = key(flag)

    /// Another manager writes the flag: `mode: open` (an owned field) unless `edit` says otherwise.
    static func foreign(_ d: inout Driver, manager: String = "kubectl-patch", operation: String = "Update",
                        edit: (inout JSON) -> Void = { $0["data"]?["mode"] = "open" }) {
        let live = d.objects["local"]![flagKey]!
        d.objects["local"]![flagKey] = d.server!.update(live, manager: manager, operation: operation, edit: edit)
    }

    static func ledger(_ decision: Decision) -> [String] { decision.ledgerRecords.map(\.event.rawValue) }

    @Test func anOwnedFieldChangedByAnotherManagerIsOneDeviationNamingIt() throws {
        var d = Self.converged()
        #expect(d.status.phase == .converged)
        let owned = try #require(d.status.drift.owned.first)
        #expect(owned.fields == ["f:data": ["f:mode": [:]]])
        Self.foreign(&d)
        let found = d.tick(at: at(5))
        #expect(Self.ledger(found) == ["Deviation"])
        let record = try DeviationRecord(detail: try #require(found.ledgerRecords.first?.detail.objectValue))
        #expect(record.kind == .changed && record.fields == [".data.mode"] && record.manager == "kubectl-patch" && record.operation == "Update")
        #expect(found.events.map(\.reason) == ["Drifted"])
        #expect(found.events.first?.message == "Changed .data.mode of v1 ConfigMap flag on local by kubectl-patch (Update) (drift policy Report)")
        #expect(d.status.drifted == 1)
        #expect(d.status.condition("Drifted")?.isTrue == true)
        #expect(d.status.phase == .converged, "drift does not undo convergence")
        // The same change seen again (another event, a restart) is not a new deviation.
        #expect(d.tick(at: at(6)).actions.isEmpty)
        #expect(EvolutionStatus(json: d.status.json) == d.status, "what status remembers survives a restart")
    }

    @Test func aFieldCausewayDoesNotOwnIsNotADeviation() {
        var d = Self.converged()
        Self.foreign(&d, manager: "labeller") { $0["metadata"]?["labels"] = ["team": "edge"] }
        #expect(d.tick(at: at(5)).actions.isEmpty)
        #expect(d.status.drifted == 0)
    }

    @Test func aForcedApplyByAnotherManagerIsATakeover() throws {
        var d = Self.converged()
        Self.foreign(&d, manager: "hotfix", operation: "Apply")
        let found = d.tick(at: at(5))
        let record = try DeviationRecord(detail: try #require(found.ledgerRecords.first?.detail.objectValue))
        #expect(record.kind == .takenOver && record.manager == "hotfix" && record.fields == [".data.mode"])
    }

    @Test func aStaleReadAndCausewaysOwnWritesAreNotDeviations() {
        var d = Self.converged()
        // The watch cache still holds the object from before the apply.
        var stale = d.objects["local"]![Self.flagKey]!
        stale["metadata"]?["resourceVersion"] = "50"
        stale["data"] = ["mode": "old"]
        d.objects["local"]![Self.flagKey] = stale
        #expect(d.tick(at: at(5)).actions.isEmpty)
        // Unseen is not deleted: only a watch that caught up with the apply says the object is gone.
        d.objects["local"] = [:]
        d.absent = ["local": [Self.flagKey: "50"]]
        #expect(d.tick(at: at(6)).actions.isEmpty)
    }

    @Test func deletionIsRecordedAndRevertRecreatesIt() throws {
        var d = Self.converged(DriftPolicy(policy: .revert))
        let revision = "\(d.server!.revision + 1)"
        d.objects["local"] = [:]
        d.absent = ["local": [Self.flagKey: revision]]
        let found = d.tick(at: at(5))
        #expect(describe(found.actions) == [
            "ledger Deviation local@local", "event Warning Drifted: Deleted v1 ConfigMap flag on local by cannot attribute: a deleted object keeps no managedFields (drift policy Revert)",
            "apply flag@local #1 revert",
        ].map { $0.replacingOccurrences(of: "local@local", with: "flag@local") })
        let reverted = d.tick(at: at(6))
        #expect(Self.ledger(reverted) == ["Reverted"])
        #expect(reverted.events.map(\.reason) == ["DriftReverted"])
        #expect(d.objects["local"]?[Self.flagKey]?[path: "data", "mode"] == "safe")
        #expect(d.status.drifted == 0)
        #expect(d.status.drift.deviations.map(\.state) == [.reverted])
        #expect(d.tick(at: at(7)).actions.isEmpty)
    }

    @Test func adoptTakesTheLiveValuesAsTheNewBaseline() {
        var d = Self.converged(DriftPolicy(policy: .adopt))
        let before = d.status.drift.owned.first?.valuesHash
        Self.foreign(&d)
        let adopted = d.tick(at: at(5))
        #expect(Self.ledger(adopted) == ["Deviation", "Adopted"])
        #expect(adopted.applies.isEmpty)
        #expect(d.status.drifted == 0)
        #expect(d.status.drift.owned.first?.valuesHash != before)
        #expect(d.tick(at: at(6)).actions.isEmpty, "the adopted values are the baseline now")
    }

    @Test func revertAgainstAWriterThatFightsBacksOffAndReportsOnce() {
        var d = Self.converged(DriftPolicy(policy: .revert))
        var contested = 0
        var revertTimes: [Int64] = []
        var clock: Int64 = 5
        for _ in 0..<5 {
            Self.foreign(&d, manager: "old-deployer")
            // Tick until the revert goes out (the engine asks to be woken when it is due).
            for _ in 0..<20 {
                let decision = d.tick(at: at(clock))
                contested += Self.ledger(decision).filter { $0 == "DriftContested" }.count
                if !decision.applies.isEmpty { revertTimes.append(clock); break }
                clock = decision.requeueAt.map { ($0 - t0).nanoseconds / 1_000_000_000 } ?? clock + 1
            }
            d.tick(at: at(clock))  // the revert's result
            clock += 1
        }
        #expect(contested == 1, "DriftContested is recorded once per fight")
        let gaps = zip(revertTimes.dropFirst(), revertTimes).map { $0 - $1 }
        #expect(gaps == [1, 2, 4, 8], "each revert waits twice as long as the last: \(revertTimes)")
        #expect(d.status.condition("Drifted")?.isTrue == false, "the last revert held")
        #expect(d.status.drift.owned.first?.reverts == 5)
    }

    @Test func eachReturnOfAFlippedValueIsItsOwnLedgerEntry() {
        var d = Self.converged()
        var ids: [String] = []
        for (n, value) in ["open", "safe", "open"].enumerated() {
            Self.foreign(&d, manager: "flipper") { $0["data"]?["mode"] = .string(value) }
            ids += d.tick(at: at(Int64(5 + n))).ledgerRecords.map(\.id)
        }
        #expect(ids.count == 2 && Set(ids).count == 2, "open, (back to safe: cleared), open again: two deviations, two ids: \(ids)")
    }

    @Test func revertReappliesOnlyTheContentThatWasApplied() {
        var d = Self.converged(DriftPolicy(policy: .revert))
        // A new generation changes the step, but it has not run yet (held by an acknowledgment).
        var spec = d.spec
        spec.steps[0] = step("flag", manifests: [configMap("flag", ["mode": "new"])], ack: true)
        d.spec = spec
        d.generation = 2
        d.tick(at: at(5))
        Self.foreign(&d)
        let decision = d.tick(at: at(6))
        #expect(decision.applies.isEmpty, "the new content waits for its acknowledgment, not for a revert")
        #expect(decision.events.map(\.reason).contains("DriftNotReverted"))
        #expect(d.status.drifted == 1)
    }

    @Test func refusedRevertsBackOffWithoutCallingItAFight() {
        var d = Self.converged(DriftPolicy(policy: .revert))
        d.applyOutcome = { action in action.revert ? .failed(reason: "Forbidden", message: "no", retryable: false) : .applied(objects: []) }
        Self.foreign(&d)
        var clock: Int64 = 5
        var attempts: [Int64] = []
        var contested = 0
        for _ in 0..<30 where attempts.count < 4 {
            let decision = d.tick(at: at(clock))
            contested += Self.ledger(decision).filter { $0 == "DriftContested" }.count
            if !decision.applies.isEmpty { attempts.append(clock) }
            clock = decision.requeueAt.map { max(($0 - t0).nanoseconds / 1_000_000_000, clock + 1) } ?? clock + 1
        }
        #expect(contested == 0, "nobody fought: the server refused")
        #expect(zip(attempts.dropFirst(), attempts).map { $0 - $1 } == [2, 3, 5], "backing off: \(attempts)")
    }

    @Test func haltOnDriftHoldsTheNextStepUntilTheDeviationIsResolved() {
        var spec = EvolutionSpec(steps: [step("flag", manifests: [Self.flag], ack: false), step("next", after: ["flag"], ack: true)])
        spec.drift = DriftPolicy(policy: .report, haltOnDrift: true)
        var d = Driver(spec)
        d.server = ServerSimulation()
        d.settle()
        #expect(d.status.step("next")?.phase == .waitingForAcknowledgment)
        Self.foreign(&d)
        d.tick(at: at(5))
        d.acknowledgments = [Acknowledgment(step: "next", by: "alice", at: at(5))]
        let held = d.tick(at: at(6))
        #expect(held.applies.isEmpty)
        #expect(d.status.message.hasPrefix("1 unresolved deviation(s) and haltOnDrift: nothing new starts"))
        // Someone puts the value back: the deviation clears and the next step starts.
        Self.foreign(&d, manager: "kubectl-edit") { $0["data"]?["mode"] = "safe" }
        let released = d.tick(at: at(7))
        #expect(released.events.map(\.reason).contains("DriftCleared"))
        #expect(released.applies.map(\.step) == ["next"])
    }
}

/// Attribution says who only when managedFields say so; otherwise it says why it cannot.
@Suite struct DriftAttributionTests {
    static let owned = OwnedObject(target: "local", step: "flag", object: DriftTests.flagKey, fields: ["f:data": ["f:mode": [:]]],
                                   valuesHash: DriftInspection.valuesHash(DriftTests.flag, fields: try! FieldSet(fieldsV1: ["f:data": ["f:mode": [:]]])),
                                   resourceVersion: "10")

    static func live(_ managedFields: JSON?) -> JSON {
        var object = configMap("flag", ["mode": "open"])
        object["metadata"]?["resourceVersion"] = "11"
        if let managedFields { object["metadata"]?["managedFields"] = managedFields }
        return object
    }

    @Test func withoutManagedFieldsNobodyIsNamed() throws {
        let found = try #require(DriftInspection.inspect(Self.owned, live: Self.live(nil)))
        #expect(found.manager == nil && found.attribution == "cannot attribute: the object carries no managedFields")
        #expect(found.who == "cannot attribute: the object carries no managedFields")
    }

    @Test func malformedManagedFieldsAreNotGuessedFrom() throws {
        let found = try #require(DriftInspection.inspect(Self.owned, live: Self.live([["manager": "x", "operation": "Sideways"]])))
        #expect(found.manager == nil && found.attribution == "cannot attribute: its managedFields are malformed")
    }

    @Test func aRemovedFieldWithNoOwnerIsNotPinnedOnTheLastWriter() throws {
        var object = Self.live([["manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "time": "2026-03-10T09:31:00Z",
                                 "fieldsType": "FieldsV1", "fieldsV1": ["f:metadata": ["f:labels": ["f:x": [:]]]]]])
        object["data"] = [:]
        let found = try #require(DriftInspection.inspect(Self.owned, live: object))
        #expect(found.manager == nil && found.fields == [".data.mode"])
        #expect(found.attribution == "cannot attribute: no other manager holds the changed fields (removed, which leaves no owner)")
    }

    @Test func theLatestOfSeveralHoldersIsNamed() throws {
        func entry(_ manager: String, _ time: String) -> JSON {
            ["manager": .string(manager), "operation": "Update", "apiVersion": "v1", "time": .string(time), "fieldsType": "FieldsV1",
             "fieldsV1": ["f:data": ["f:mode": [:]]]]
        }
        let found = try #require(DriftInspection.inspect(Self.owned, live: Self.live([entry("early", "2026-03-10T09:31:00Z"),
                                                                                      entry("late", "2026-03-10T09:32:00Z")])))
        #expect(found.manager == "late" && found.time == "2026-03-10T09:32:00Z")
    }
}
