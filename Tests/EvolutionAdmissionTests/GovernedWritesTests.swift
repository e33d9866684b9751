import EvolutionAdmission
import EvolutionAPI
import KubeJSON
import Testing

/// The validating decision on governed objects: whose write is journaled, which is Causeway's,
/// what a freeze denies and what breaks its glass.
@Suite struct GovernedWritesTests {
    static let key = StampKey(bytes: Array(repeating: 9, count: 32))
    static let applier = "system:serviceaccount:shop:deployer"
    static let reference = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "flag")

    /// The ConfigMap as Causeway's apply left it: `data.mode` and the mark owned by `causeway`.
    static func applied(mode: String = "causeway", freeze: Bool, key: StampKey = key, extra: [String: String] = [:]) -> JSON {
        let manifest: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "flag", "namespace": "shop"], "data": ["mode": "causeway"]]
        let mark = key.sign(GovernanceMark(evolution: "shop/rollout", applier: applier, freeze: freeze, applying: manifest), object: reference)
        var object: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": ["name": "flag", "namespace": "shop", "uid": "u-1", "resourceVersion": "41",
                                         "managedFields": [["manager": "causeway", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-06T10:00:00Z",
                                                            "fieldsType": "FieldsV1",
                                                            "fieldsV1": ["f:data": ["f:mode": [:]],
                                                                         "f:metadata": ["f:annotations": ["f:causeway.dev/governed-by": [:]],
                                                                                        "f:labels": ["f:causeway.dev/governed": [:]]]]]]],
                            "data": ["mode": .string(mode)]]
        object = mark.placed(on: object)
        for (k, v) in extra { object["metadata"]?["annotations"]?[k] = .string(v) }
        return object
    }

    static func request(_ operation: String = "UPDATE", user: String = "bob", manager: String? = "kubectl-patch", old: JSON, new: JSON?) -> JSON {
        var options: JSONObject = ["kind": "UpdateOptions"]
        if let manager { options["fieldManager"] = .string(manager) }
        return ["uid": "r-1", "operation": .string(operation), "userInfo": ["username": .string(user), "groups": ["dev"]],
                "oldObject": old, "object": new ?? .null, "options": .object(options), "dryRun": false]
    }

    static func review(_ request: JSON) -> GovernedWrites.Review { GovernedWrites.review(request, key: key, now: "2026-12-06T10:42:07Z") }

    @Test func aChangeToWhatCausewayAppliedIsJournaledWithThePerson() throws {
        let review = Self.review(Self.request(old: Self.applied(freeze: false), new: Self.applied(mode: "bob", freeze: false)))
        #expect(review.response["allowed"] == true)
        let entry = try #require(review.entry)
        #expect(entry.user == "bob" && entry.groups == ["dev"] && entry.fieldManager == "kubectl-patch" && entry.operation == "UPDATE")
        #expect(entry.fields == [".data.mode"] && entry.oldResourceVersion == "41" && entry.evolution == "shop/rollout" && entry.allowed)
        #expect(entry.ownedHash != nil && Self.key.verifies(entry))
        // Entries round-trip through the journal's lines, and an edited one no longer verifies.
        let text = AdmissionJournal.appending([entry], to: "")
        #expect(AdmissionJournal.decode(text).entries == [entry])
        var edited = entry
        edited.user = "alice"
        #expect(!Self.key.verifies(edited))
    }

    @Test func writesThatAreNotSomeoneElseChangingCausewaysFieldsPassUnrecorded() {
        // Causeway itself: its account, applying as its field manager.
        #expect(Self.review(Self.request(user: Self.applier, manager: "causeway", old: Self.applied(freeze: true),
                                         new: Self.applied(mode: "next", freeze: true))).entry == nil)
        // Another field (an annotation Causeway does not own).
        #expect(Self.review(Self.request(old: Self.applied(freeze: true), new: Self.applied(freeze: true, extra: ["note": "x"]))).entry == nil)
        // A mark that does not verify (forged, or copied from another object): not governed.
        let forged = Self.applied(freeze: true, key: StampKey(bytes: Array(repeating: 1, count: 32)))
        var changed = forged
        changed["data"]?["mode"] = "bob"
        #expect(Self.review(Self.request(old: forged, new: changed)).response["allowed"] == true)
        // The status subresource is not what Causeway applied.
        var status = Self.request(old: Self.applied(freeze: true), new: Self.applied(mode: "bob", freeze: true))
        status["subResource"] = "status"
        #expect(Self.review(status).entry == nil)
    }

    @Test func causewaysAccountUsedByHandIsJournaledLikeAnyone() {
        let review = Self.review(Self.request(user: Self.applier, manager: "kubectl-edit", old: Self.applied(freeze: true),
                                              new: Self.applied(mode: "by-hand", freeze: true)))
        #expect(review.response["allowed"] == false && review.entry?.user == Self.applier)
    }

    @Test func aFreezeDeniesOthersUnlessTheWriteBreaksTheGlass() throws {
        let denied = Self.review(Self.request(old: Self.applied(freeze: true), new: Self.applied(mode: "bob", freeze: true)))
        #expect(denied.response["allowed"] == false && denied.response[path: "status", "code"] == 403)
        let message = denied.response[path: "status", "message"]?.stringValue ?? ""
        #expect(message.hasPrefix("v1 ConfigMap shop/flag is frozen by Evolution shop/rollout (spec.drift.freeze): only Causeway (\(Self.applier)) may change .data.mode"))
        #expect(message.contains("set annotation causeway.dev/break-glass=\"<reason>\" in the same write"))
        #expect(denied.entry?.allowed == false)

        let broken = Self.review(Self.request(old: Self.applied(freeze: true),
                                              new: Self.applied(mode: "bob", freeze: true, extra: [GovernanceMark.breakGlassAnnotation: "incident 42"])))
        #expect(broken.response["allowed"] == true && broken.entry?.breakGlass == "incident 42")
        // A reason left on the object by an earlier write does not open the next one.
        let left = [GovernanceMark.breakGlassAnnotation: "incident 42"]
        #expect(Self.review(Self.request(old: Self.applied(freeze: true, extra: left),
                                         new: Self.applied(mode: "again", freeze: true, extra: left))).response["allowed"] == false)
        // A delete cannot annotate: it passes on the reason the object carries (set by a recorded write).
        #expect(Self.review(Self.request("DELETE", manager: nil, old: Self.applied(freeze: true), new: nil)).response["allowed"] == false)
        let delete = Self.review(Self.request("DELETE", manager: nil, old: Self.applied(freeze: true, extra: left), new: nil))
        #expect(delete.response["allowed"] == true && delete.entry?.operation == "DELETE" && delete.entry?.ownedHash == nil)
        // The cluster's own cleanup (namespace deletion) is never blocked, and still journaled.
        let cleanup = Self.review(Self.request("DELETE", user: "system:serviceaccount:kube-system:namespace-controller", manager: nil,
                                               old: Self.applied(freeze: true), new: nil))
        #expect(cleanup.response["allowed"] == true && cleanup.entry != nil)
    }

    @Test func theJournalKeepsTheNewestWithinItsBounds() throws {
        let entry = try #require(Self.review(Self.request(old: Self.applied(freeze: false), new: Self.applied(mode: "bob", freeze: false))).entry)
        var text = ""
        for i in 0..<(AdmissionJournal.capacity + 10) {
            var next = entry
            next.time = "t\(i)"
            text = AdmissionJournal.appending([next], to: text)
        }
        let kept = AdmissionJournal.decode(text).entries
        #expect(kept.count == AdmissionJournal.capacity && kept.first?.time == "t10" && kept.last?.time == "t\(AdmissionJournal.capacity + 9)")
        #expect(AdmissionJournal.decode("not json\n" + text).unreadable == 1)
    }

    @Test func wipingOrTakingCausewaysOwnershipCountsAsAChange() throws {
        // managedFields wiped in the write (the server resets them): what Causeway owned is gone from them.
        var wiped = Self.applied(freeze: true)
        wiped["metadata"]?["managedFields"] = [["manager": "kubectl-patch", "operation": "Update", "apiVersion": "v1", "time": "2026-12-06T10:42:07Z",
                                                "fieldsType": "FieldsV1", "fieldsV1": ["f:metadata": ["f:labels": ["f:x": [:]]]]]]
        let denied = Self.review(Self.request(old: Self.applied(freeze: true), new: wiped))
        #expect(denied.response["allowed"] == false && denied.entry?.fields.contains(".data.mode") == true, "\(denied.response)")
        // A marked object already without Causeway's entry: nothing can be told, every write counts.
        let next = Self.review(Self.request(old: wiped, new: wiped))
        #expect(next.response["allowed"] == false && next.entry?.fields == [".metadata.managedFields"])
        // Another manager's forced apply of the same value takes the field: journaled, though no value changed.
        var taken = Self.applied(freeze: false)
        taken["metadata"]?["managedFields"] = [
            ["manager": "causeway", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-06T10:00:00Z", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:metadata": ["f:annotations": ["f:causeway.dev/governed-by": [:]], "f:labels": ["f:causeway.dev/governed": [:]]]]],
            ["manager": "hotfix", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-06T10:42:07Z", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:data": ["f:mode": [:]]]],
        ]
        let takenOver = try #require(Self.review(Self.request(manager: "hotfix", old: Self.applied(freeze: false), new: taken)).entry)
        #expect(takenOver.fields == [".data.mode"] && takenOver.allowed)
        // Once another manager holds the field, what the step applied (the mark's fields) still counts.
        var after = taken
        after["data"]?["mode"] = "later"
        let later = try #require(Self.review(Self.request(old: taken, new: after)).entry)
        #expect(later.fields == [".data.mode"] && later.ownedHash == GovernanceMark.read(from: after)?.valuesHash(of: after))
    }

    @Test func underAFreezeANewOwnerIsAChangeAndTheClusterCleansUpUnblocked() {
        var adopted = Self.applied(freeze: true)
        adopted["metadata"]?["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "doomed", "uid": "u-9"]]
        let denied = Self.review(Self.request(old: Self.applied(freeze: true), new: adopted))
        #expect(denied.response["allowed"] == false && denied.entry?.fields == [".metadata.ownerReferences"])
        // Not frozen: an owner reference is not Causeway's field.
        var plain = Self.applied(freeze: false)
        plain["metadata"]?["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "doomed", "uid": "u-9"]]
        #expect(Self.review(Self.request(old: Self.applied(freeze: false), new: plain)).entry == nil)
        // kube-controller-manager's own credentials (no per-controller accounts): still the cluster's cleanup.
        let cleanup = Self.review(Self.request("DELETE", user: "system:kube-controller-manager", manager: nil, old: Self.applied(freeze: true), new: nil))
        #expect(cleanup.response["allowed"] == true && cleanup.entry?.operation == "DELETE")
    }

    /// The Evolution's account changed: Causeway's apply as the new account carries a new mark naming it, and passes;
    /// the same mark written by anyone else, or a mark of another Evolution, does not.
    @Test func causewayUnderANewAccountPassesWithTheMarkItSigned() {
        let successor = "system:serviceaccount:shop:deployer-v2"
        let manifest: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "flag", "namespace": "shop"], "data": ["mode": "next"]]
        func remarked(_ applier: String, evolution: String = "shop/rollout") -> JSON {
            var object = Self.applied(mode: "next", freeze: true)
            object = Self.key.sign(GovernanceMark(evolution: evolution, applier: applier, freeze: true, applying: manifest), object: Self.reference).placed(on: object)
            return object
        }
        #expect(Self.review(Self.request(user: successor, manager: "causeway", old: Self.applied(freeze: true), new: remarked(successor))).response["allowed"] == true)
        #expect(Self.review(Self.request(user: "bob", manager: "causeway", old: Self.applied(freeze: true), new: remarked(successor))).response["allowed"] == false)
        #expect(Self.review(Self.request(user: successor, manager: "causeway", old: Self.applied(freeze: true),
                                         new: remarked(successor, evolution: "shop/other"))).response["allowed"] == false)
    }
}
