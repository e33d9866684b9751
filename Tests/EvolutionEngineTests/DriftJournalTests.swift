import EvolutionAPI
import EvolutionEngine
import KubeJSON
import KubeSemantics
import Testing

/// The person behind a deviation, joined from the admission journal without guessing, and a
/// freeze reaching objects already applied.
@Suite struct DriftJournalTests {
    /// Where the flag's writes are journaled (it names no namespace: cluster-scoped as far as the journal can tell).
    static let namespace = AdmissionJournal.namespace(of: DriftTests.flagKey)

    /// A journal entry for a write to the flag made on `oldVersion`, leaving `owned` values hashed as given.
    static func entry(_ user: String, oldVersion: String?, ownedHash: String?, operation: String = "UPDATE") -> JournalEntry {
        JournalEntry(time: "2026-12-06T10:42:07Z", user: user, groups: [], operation: operation, fieldManager: "kubectl-patch",
                     object: DriftTests.flagKey, uid: nil, oldResourceVersion: oldVersion, fields: [".data.mode"], ownedHash: ownedHash,
                     evolution: "default/evo", dryRun: false, breakGlass: nil, allowed: true)
    }

    /// The governance mark the flag carries (the engine reads its fields; the controller verifies entries).
    static let mark = GovernanceMark(evolution: "default/evo", applier: "system:serviceaccount:default:default", freeze: false,
                                     applying: DriftTests.flag)

    /// Another manager changes the marked flag (`mode: open` unless `edit` says otherwise): what it left, hashed over the mark's fields.
    static func change(_ d: inout Driver, edit: @escaping (inout JSON) -> Void = { $0["data"]?["mode"] = "open" }) -> String {
        DriftTests.foreign(&d) { object in
            edit(&object)
            object = mark.placed(on: object)
        }
        return mark.valuesHash(of: d.objects["local"]![DriftTests.flagKey]!)
    }

    /// The converged flag changed by another manager, and what it left.
    static func departed() -> (Driver, owned: OwnedObject, liveHash: String) {
        var d = DriftTests.converged()
        let owned = d.status.drift.owned[0]
        let liveHash = change(&d)
        return (d, owned, liveHash)
    }

    static func recorded(_ d: inout Driver, at time: Timestamp = at(5)) throws -> DeviationRecord {
        let decision = d.tick(at: time)
        return try DeviationRecord(detail: try #require(decision.ledgerRecords.first { $0.event == .deviation }?.detail.objectValue))
    }

    @Test func theJournaledWriteThatLeftTheLiveValuesNamesItsPerson() throws {
        var (d, owned, liveHash) = Self.departed()
        d.journals = ["local": [Self.namespace: .entries([
            Self.entry("carol", oldVersion: "1", ownedHash: liveHash),  // before Causeway's apply: not this change
            Self.entry("bob", oldVersion: owned.resourceVersion, ownedHash: liveHash),
            Self.entry("dave", oldVersion: owned.resourceVersion, ownedHash: "other"),  // left other values
        ])]]
        let record = try Self.recorded(&d)
        #expect(record.people == ["bob"] && record.journal == nil)
        #expect(record.who == "bob with kubectl-patch (Update)")
        #expect(d.status.drift.deviations.first?.record.people == ["bob"])
    }

    @Test func anEntryStoredBehindTheWriteIsWaitedForBriefly() throws {
        var (d, owned, liveHash) = Self.departed()
        d.journals = ["local": [Self.namespace: .entries([])]]
        let waiting = d.tick(at: at(5))
        #expect(waiting.ledgerRecords.isEmpty && d.status.drift.deviations.isEmpty, "not recorded while the entry may be on its way")
        #expect(d.status.drift.owned.first?.awaitingJournalSince == at(5))
        #expect(waiting.requeueAt == at(5) + .milliseconds(100), "looked at again shortly")
        d.journals = ["local": [Self.namespace: .entries([Self.entry("bob", oldVersion: owned.resourceVersion, ownedHash: liveHash)])]]
        let record = try Self.recorded(&d, at: at(6))
        #expect(record.people == ["bob"])
        #expect(d.status.drift.owned.first?.awaitingJournalSince == nil)
    }

    @Test func withoutAMatchingEntryNobodyIsNamedAndOthersAreOnlyListed() throws {
        var (d, owned, _) = Self.departed()
        d.journals = ["local": [Self.namespace: .entries([Self.entry("dave", oldVersion: owned.resourceVersion, ownedHash: "other")])]]
        #expect(d.tick(at: at(5)).ledgerRecords.isEmpty)
        // The grace is over: recorded without a person, saying why.
        let record = try Self.recorded(&d, at: at(8))
        #expect(record.people.isEmpty)
        #expect(record.journal == "the admission journal holds no write that left these values (the webhook was down or skipped it: failurePolicy Ignore); since Causeway's apply its fields were also changed by dave")
    }

    @Test func aJournalThatWasNotReadOrCannotBeSaysWhy() throws {
        var (d, _, _) = Self.departed()
        #expect(try Self.recorded(&d).journal?.hasPrefix("no admission journal read") == true)
        var (e, _, _) = Self.departed()
        e.journals = ["local": [Self.namespace: .unavailable("cannot read the admission journal: forbidden")]]
        #expect(try Self.recorded(&e).journal == "cannot read the admission journal: forbidden")
    }

    @Test func turningFreezeOnReappliesWhatIsConvergedWithTheFrozenMark() {
        var d = DriftTests.converged()
        #expect(d.status.drift.owned.first?.frozen == false)
        d.spec.drift.freeze = true
        let reseal = d.tick(at: at(5))
        #expect(reseal.applies.count == 1 && reseal.applies.first?.freeze == true && reseal.applies.first?.revert == true)
        #expect(d.tick(at: at(6)).applies.isEmpty, "once applied frozen, nothing more")
        #expect(d.status.drift.owned.first?.frozen == true)
        #expect(d.status.drift.deviations.isEmpty)
    }

    @Test func aRefusedReMarkIsToldAsWhatItIsAndBacksOff() {
        var d = DriftTests.converged()
        d.spec.drift.freeze = true
        d.applyOutcome = { _ in .failed(reason: "Forbidden", message: "denied", retryable: true) }
        #expect(d.tick(at: at(5)).applies.count == 1)
        let told = d.tick(at: at(5)).events.first { $0.reason == "RevertFailed" }
        #expect(told?.message.hasPrefix("re-applying flag with the spec.drift.freeze mark on local failed: Forbidden: denied") == true, "\(told?.message ?? "")")
        #expect(d.tick(at: at(5)).applies.isEmpty, "backs off before trying again")
    }

    /// Alice left the values once; a later departure to the same values whose own entry is missing
    /// (deleted from the journal, or never stored) is not pinned on her.
    @Test func anOlderWriteOfTheSameValuesIsNotNamedForANewerOne() throws {
        var (d, owned, liveHash) = Self.departed()
        let alice = Self.entry("alice", oldVersion: owned.resourceVersion, ownedHash: liveHash)
        d.journals = ["local": [Self.namespace: .entries([alice])]]
        #expect(try Self.recorded(&d).people == ["alice"])
        // Someone sets another value (its entry there, made on alice's version), then the first value again (its entry gone).
        let aliceVersion = try #require(d.objects["local"]?[DriftTests.flagKey].flatMap(ResourceVersion.of))
        let otherHash = Self.change(&d) { $0["data"]?["mode"] = "other" }
        let mallory = Self.entry("mallory", oldVersion: aliceVersion, ownedHash: otherHash)
        d.journals = ["local": [Self.namespace: .entries([alice, mallory])]]
        #expect(try Self.recorded(&d, at: at(6)).people == ["mallory"])
        _ = Self.change(&d)
        d.journals = ["local": [Self.namespace: .entries([alice, mallory])]]
        #expect(d.tick(at: at(7)).ledgerRecords.isEmpty, "waits for the entry")
        let record = try Self.recorded(&d, at: at(10))
        #expect(record.people.isEmpty, "alice's older write is not this one")
        // Both entries predate the version last seen (mallory's other value): neither is listed for this write.
        #expect(record.journal == "the admission journal holds no write that left these values (the webhook was down or skipped it: failurePolicy Ignore)",
                "\(record.journal ?? "")")
    }

    @Test func aJournalNotYetReadIsWaitedForWhereJournalsAreRead() throws {
        var (d, _, _) = Self.departed()
        d.journalsEnabled = true
        #expect(d.tick(at: at(5)).ledgerRecords.isEmpty)
        #expect(try Self.recorded(&d, at: at(8)).journal == "the admission journal was not read in time")
    }
}
