import KubeJSON
import KubeSemantics
import KubeYAML
import Testing

/// `FieldSet.values(in:)`: what an object holds at the fields a manager owns, and nothing else.
@Suite struct FieldSetValuesTests {
    static let deployment: JSON = try! YAML.parse("""
        metadata: {name: web, labels: {app: web, team: edge}}
        spec:
          replicas: 3
          template:
            spec:
              containers:
                - {name: web, image: "web:1", ports: [{containerPort: 80}]}
                - {name: sidecar, image: "proxy:2"}
        """)

    static let owned = try! FieldSet(fieldsV1: JSON.parse(#"""
        {"f:metadata": {"f:labels": {"f:app": {}}},
         "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}
        """#))

    @Test func projectsOwnedLeavesAndMapListItemsByPresence() {
        #expect(Self.owned.values(in: Self.deployment) == [
            ".metadata.labels.app": "web",
            ".spec.replicas": 3,
            #".spec.template.spec.containers[name="web"]"#: true,
            #".spec.template.spec.containers[name="web"].image"#: "web:1",
            #".spec.template.spec.containers[name="web"].name"#: "web",
        ])
    }

    @Test func changesOutsideTheOwnedFieldsLeaveTheProjectionAsItWas() {
        var other = Self.deployment
        other["metadata"]?["labels"]?["team"] = "core"
        other["spec"]?["template"]?["spec"]?["containers"] = [
            ["name": "web", "image": "web:1", "ports": [["containerPort": 8080]]],
            ["name": "sidecar", "image": "proxy:3"],
        ]
        #expect(Self.owned.values(in: other) == Self.owned.values(in: Self.deployment))
        var changed = Self.deployment
        changed["spec"]?["replicas"] = 5
        #expect(Self.owned.values(in: changed) != Self.owned.values(in: Self.deployment))
        var gone = Self.deployment
        gone["spec"]?["template"]?["spec"]?["containers"] = [["name": "sidecar", "image": "proxy:2"]]
        #expect(Self.owned.values(in: gone).objectValue?.keys.sorted() == [".metadata.labels.app", ".spec.replicas"])
    }

    /// A leaf member is compared whole, even a map (an atomic map such as a selector); a member with
    /// members below it is only there or not (a granular list another manager adds its items to).
    @Test func atomicMapsAreComparedWholeAndGranularListsByTheirOwnedItems() throws {
        let owned = try FieldSet(fieldsV1: JSON.parse(#"""
            {"f:spec": {"f:selector": {}, "f:ports": {".": {}, "k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}}}
            """#))
        let service: JSON = ["spec": ["selector": ["app": "web"], "ports": [["port": 80, "protocol": "TCP"]]]]
        var retargeted = service
        retargeted["spec"]?["selector"] = ["app": "attacker"]
        #expect(owned.values(in: retargeted) != owned.values(in: service), "a changed selector is a change")
        var extended = service
        extended["spec"]?["ports"] = [["port": 80, "protocol": "TCP"], ["port": 9090, "protocol": "TCP"]]
        #expect(owned.values(in: extended) == owned.values(in: service), "another manager's port is not Causeway's")
    }
}
