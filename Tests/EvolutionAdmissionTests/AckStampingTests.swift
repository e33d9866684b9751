import EvolutionAdmission
import EvolutionAPI
import Foundation
import KubeJSON
import KubeSemantics
import Testing

/// Stamping acknowledgments with the authenticated user: the webhook's answer, applied as the
/// API server applies it (JSONPatch), gives the annotations the controller then reads.
@Suite struct AckStampingTests {
    static let key = StampKey(bytes: Array(repeating: 7, count: 32))

    static func request(_ operation: String = "UPDATE", user: String = "alice", old: [String: String]?, new: [String: String]) -> JSON {
        func evolution(_ annotations: [String: String]?) -> JSON {
            var metadata: JSONObject = ["name": "evo", "namespace": "team"]
            if let annotations { metadata["annotations"] = .object(JSONObject(annotations.map { ($0.key, JSON.string($0.value)) })) }
            return ["apiVersion": "causeway.dev/v1alpha1", "kind": "Evolution", "metadata": .object(metadata)]
        }
        return ["kind": ["group": "causeway.dev", "version": "v1alpha1", "kind": "Evolution"], "operation": .string(operation),
                "name": "evo", "namespace": "team",
                "userInfo": ["username": .string(user), "groups": ["sre", "system:authenticated"]],
                "object": evolution(new), "oldObject": old.map(evolution) ?? .null]
    }

    /// The annotations after the webhook's patch.
    static func admitted(_ request: JSON) throws -> [String: String] {
        let response = AckStamping.response(to: request, key: Self.key)
        #expect(response["allowed"] == true)
        var object = request["object"] ?? .null
        if let encoded = response["patch"]?.stringValue {
            #expect(response["patchType"] == "JSONPatch")
            object = try JSONPatch.apply(try JSON.parse(Array(Data(base64Encoded: encoded)!)), to: object)
        }
        var out: [String: String] = [:]
        for (k, v) in object[path: "metadata", "annotations"]?.objectValue ?? JSONObject() { out[k] = v.stringValue }
        return out
    }

    @Test func anAcknowledgmentIsStampedWithWhoMadeIt() throws {
        let after = try Self.admitted(Self.request(old: [:], new: ["ack.causeway.dev/flag": "approved"]))
        let stamp = try #require(after["causeway.dev/ack-by.flag"].flatMap(AdmissionStamp.init(text:)))
        #expect(stamp.user == "alice" && stamp.groups == ["sre", "system:authenticated"] && stamp.value == "approved")
        #expect(Self.key.verifies(stamp, evolution: "team/evo", annotation: "causeway.dev/ack-by.flag"))
        // Not for another Evolution or annotation, and not with another key.
        #expect(!Self.key.verifies(stamp, evolution: "team/other", annotation: "causeway.dev/ack-by.flag"))
        #expect(!Self.key.verifies(stamp, evolution: "team/evo", annotation: "causeway.dev/ack-by.other"))
        #expect(!StampKey(bytes: Array(repeating: 8, count: 32)).verifies(stamp, evolution: "team/evo", annotation: "causeway.dev/ack-by.flag"))
        var forged = stamp
        forged.user = "bob"
        #expect(!Self.key.verifies(forged, evolution: "team/evo", annotation: "causeway.dev/ack-by.flag"))
        // On an Evolution created with the acknowledgment already set, too.
        let created = try Self.admitted(Self.request("CREATE", old: nil, new: ["ack.causeway.dev/flag": "yes"]))
        #expect(created["causeway.dev/ack-by.flag"].flatMap(AdmissionStamp.init(text:))?.user == "alice")
    }

    @Test func aStampTheUserWritesIsUndone() throws {
        let bobs = AdmissionStamp(user: "bob", groups: [], value: "approved").text
        // alice acknowledges and writes bob's name beside it: the stamp says alice.
        var after = try Self.admitted(Self.request(old: [:], new: ["ack.causeway.dev/flag": "approved", "causeway.dev/ack-by.flag": bobs]))
        #expect(after["causeway.dev/ack-by.flag"].flatMap(AdmissionStamp.init(text:))?.user == "alice")
        // alice rewrites the stamp of bob's earlier acknowledgment: it is put back.
        after = try Self.admitted(Self.request(old: ["ack.causeway.dev/flag": "approved", "causeway.dev/ack-by.flag": bobs],
                                               new: ["ack.causeway.dev/flag": "approved", "causeway.dev/ack-by.flag": "alice"]))
        #expect(after["causeway.dev/ack-by.flag"] == bobs)
        // Nor can she remove it.
        after = try Self.admitted(Self.request(old: ["ack.causeway.dev/flag": "approved", "causeway.dev/ack-by.flag": bobs],
                                               new: ["ack.causeway.dev/flag": "approved"]))
        #expect(after["causeway.dev/ack-by.flag"] == bobs)
    }

    @Test func anUnchangedAcknowledgmentKeepsItsStampAndOtherWritesAreLeftAlone() throws {
        let stamp = AdmissionStamp(user: "bob", groups: [], value: "approved").text
        let old = ["ack.causeway.dev/flag": "approved", "causeway.dev/ack-by.flag": stamp]
        var new = old
        new["team"] = "edge"
        let response = AckStamping.response(to: Self.request(old: old, new: new), key: Self.key)
        #expect(response == ["allowed": true], "nothing to patch")
        // Taking the acknowledgment back takes its stamp with it.
        let withdrawn = try Self.admitted(Self.request(old: old, new: ["causeway.dev/ack-by.flag": stamp]))
        #expect(withdrawn.isEmpty)
    }

    @Test func aRetryRequestIsStampedToo() throws {
        let after = try Self.admitted(Self.request(old: [:], new: ["retry.causeway.dev/step": "flag"]))
        let stamp = try #require(after["causeway.dev/retry-by"].flatMap(AdmissionStamp.init(text:)))
        #expect(stamp.user == "alice" && stamp.value == "flag" && Self.key.verifies(stamp, evolution: "team/evo", annotation: "causeway.dev/retry-by"))
    }

    @Test func otherKindsAndSubresourcesPassUntouched() {
        var status = Self.request(old: [:], new: ["ack.causeway.dev/flag": "approved"])
        status["subResource"] = "status"
        #expect(AckStamping.response(to: status, key: Self.key) == ["allowed": true])
        var configMap = Self.request(old: [:], new: ["ack.causeway.dev/flag": "approved"])
        configMap["kind"] = ["group": "", "version": "v1", "kind": "ConfigMap"]
        #expect(AckStamping.response(to: configMap, key: Self.key) == ["allowed": true])
    }
}
