import KubeJSON
import KubeYAML
import Testing

@testable import KubeSemantics

private func j(_ text: String) throws -> JSON { try JSON.parse(text) }

/// Containers by name and their ports by containerPort, finalizers as a set; everything else atomic.
let deploymentLists: @Sendable ([String]) -> ListSemantics? = { names in
    switch names.last {
    case "containers", "env": return .map(keys: ["name"])
    case "ports": return .map(keys: ["containerPort", "protocol"])
    case "finalizers": return .set
    default: return nil
    }
}

@Suite struct FieldSetTests {
    @Test func roundTripsRealManagedFields() throws {
        let text = #"{"f:metadata":{"f:annotations":{".":{},"f:note":{}},"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}},"f:status":{"f:conditions":{"v:\"a\"":{},"i:0":{}}}}"#
        let set = try FieldSet(fieldsV1: try j(text))
        #expect(set.fieldsV1.serializedString() == text)
        #expect(set.paths.contains(".spec.template.spec.containers[name=\"web\"].image"))
        #expect(set.paths.contains(".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"]"))
        #expect(set.paths.contains(".status.conditions[=\"a\"]"))
        #expect(set.paths.contains(".status.conditions[0]"))
        #expect(set.contains([.field("spec")]))
        #expect(!set.contains([.field("metadata")]))
        #expect(set.count == 14)
        #expect(throws: FieldError.self) { try FieldSet(fieldsV1: try j(#"{"x:spec":{}}"#)) }
        // Keys and values sort as structured-merge-diff compares them: numbers numerically, before strings.
        let ports = #"{"f:ports":{"k:{\"containerPort\":80}":{},"k:{\"containerPort\":443}":{},"v:8":{},"v:10":{},"v:\"a\"":{}}}"#
        #expect(try FieldSet(fieldsV1: try j(ports)).fieldsV1.serializedString() ==
            #"{"f:ports":{"k:{\"containerPort\":80}":{},"k:{\"containerPort\":443}":{},"v:8":{},"v:10":{},"v:\"a\"":{}}}"#)
        #expect(try FieldSet(fieldsV1: .null).isEmpty)
    }

    @Test func managedFieldsEntryShape() throws {
        let item = try j(#"{"manager":"curl","operation":"Update","apiVersion":"causeway.dev/v1alpha1","time":"2026-11-24T21:12:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:a":{}}},"subresource":"status"}"#)
        let entry = try ManagedFieldsEntry(json: item)
        #expect(entry.manager == "curl" && entry.operation == "Update" && entry.subresource == "status")
        #expect(entry.fields.paths == [".metadata.labels", ".metadata.labels.app", ".spec", ".spec.a"])
        #expect(entry.json.serializedString() == item.serializedString())
        var noSub = entry
        noSub.subresource = nil
        #expect(noSub.json["subresource"] == nil)
        #expect(throws: FieldError.self) { try ManagedFieldsEntry(json: ["manager": "x", "operation": "Patch"]) }
    }

    @Test func leavesOfAnObject() throws {
        let object = try YAML.parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d, namespace: ns, uid: u, resourceVersion: "1", labels: {app: web}, finalizers: [a, b]}
            spec:
              replicas: 2
              selector: {}
              template:
                spec:
                  containers:
                  - name: web
                    image: nginx
                    ports: [{containerPort: 80, protocol: TCP}]
                  tolerations: [{key: x}]
            """)
        let set = FieldSet.of(object, listSemantics: deploymentLists)
        #expect(set.paths == [
            ".metadata.finalizers[=\"a\"]", ".metadata.finalizers[=\"b\"]", ".metadata.labels.app",
            ".spec.replicas", ".spec.selector",
            ".spec.template.spec.containers[name=\"web\"]", ".spec.template.spec.containers[name=\"web\"].image",
            ".spec.template.spec.containers[name=\"web\"].name",
            ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"]",
            ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
            ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].protocol",
            ".spec.template.spec.tolerations",
        ])
        // Without list semantics every list is one atomic leaf.
        #expect(FieldSet.of(object, listSemantics: nil).paths.contains(".spec.template.spec.containers"))
        #expect(FieldSet.of(["metadata": ["name": "x"]], listSemantics: nil).isEmpty)
    }

    @Test func setAlgebraAndChanges() throws {
        let old = try j(#"{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"a":1,"b":{"c":2},"gone":true}}"#)
        let new = try j(#"{"metadata":{"name":"a","labels":{"x":"1","y":"2"}},"spec":{"a":5,"b":{"c":2},"d":{"e":1}}}"#)
        let comparison = FieldSet.compare(from: old, to: new, listSemantics: nil)
        #expect(comparison.added.paths == [".metadata.labels.y", ".spec.d", ".spec.d.e"])
        #expect(comparison.modified.paths == [".spec.a"])
        #expect(comparison.removed.paths == [".spec.gone"])
        let changed = FieldSet.changed(from: old, to: new, listSemantics: nil)
        #expect(changed == comparison.added.union(comparison.modified))
        #expect(changed.intersection(comparison.modified) == comparison.modified)
        #expect(changed.subtracting(comparison.added) == comparison.modified)
        #expect(FieldSet().isEmpty && FieldSet().fieldsV1 == [:])
        let retyped = FieldSet.compare(from: try j(#"{"spec":{"x":{"y":1}}}"#), to: try j(#"{"spec":{"x":"flat"}}"#), listSemantics: nil)
        #expect(retyped.modified.paths == [".spec.x"] && retyped.removed.paths == [".spec.x.y"] && retyped.added.isEmpty)
    }
}

@Suite struct RecordUpdateTests {
    let apiVersion = "causeway.dev/v1alpha1"

    @Test func createRecordsTheServersShape() throws {
        let created = try j(#"{"apiVersion":"causeway.dev/v1alpha1","kind":"Thing","metadata":{"name":"t","namespace":"ns","uid":"u","resourceVersion":"1","creationTimestamp":"2026-11-24T21:12:05Z","labels":{"app":"x"}},"spec":{"a":1}}"#)
        let entries = ServerSideApply.recordUpdate(from: nil, to: created, manager: "curl", apiVersion: apiVersion, subresource: nil,
                                                   time: "2026-11-24T21:12:05Z", managedFields: [], listSemantics: nil)
        #expect(entries.count == 1)
        #expect(entries[0].json == (try j(#"{"manager":"curl","operation":"Update","apiVersion":"causeway.dev/v1alpha1","time":"2026-11-24T21:12:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{".":{},"f:a":{}}}}"#)))
    }

    @Test func changedFieldsMoveAndEmptyManagersDisappear() throws {
        let v1 = try j(#"{"metadata":{"name":"t"},"spec":{"a":1,"b":2}}"#)
        var entries = ServerSideApply.recordUpdate(from: nil, to: v1, manager: "mgr-a", apiVersion: apiVersion, subresource: nil,
                                                   time: "T1", managedFields: [], listSemantics: nil)
        // A no-op write adds nobody.
        #expect(ServerSideApply.recordUpdate(from: v1, to: v1, manager: "mgr-b", apiVersion: apiVersion, subresource: nil,
                                             time: "T2", managedFields: entries, listSemantics: nil) == entries)
        // mgr-b changes spec.a: it moves from mgr-a to mgr-b.
        let v2 = try j(#"{"metadata":{"name":"t"},"spec":{"a":9,"b":2}}"#)
        entries = ServerSideApply.recordUpdate(from: v1, to: v2, manager: "mgr-b", apiVersion: apiVersion, subresource: nil,
                                               time: "T2", managedFields: entries, listSemantics: nil)
        #expect(entries.map(\.manager) == ["mgr-a", "mgr-b"])
        #expect(entries[0].fields.paths == [".spec", ".spec.b"])
        #expect(entries[1].fields.paths == [".spec.a"])
        // mgr-b then takes spec.b too and removes nothing; mgr-a keeps only ".spec" itself.
        let v3 = try j(#"{"metadata":{"name":"t"},"spec":{"a":9,"b":3}}"#)
        entries = ServerSideApply.recordUpdate(from: v2, to: v3, manager: "mgr-b", apiVersion: apiVersion, subresource: nil,
                                               time: "T3", managedFields: entries, listSemantics: nil)
        #expect(entries[1].fields.paths == [".spec.a", ".spec.b"] && entries[1].time == "T3")
        // Removing spec entirely takes it from everyone; mgr-a is left with nothing and disappears.
        let v4 = try j(#"{"metadata":{"name":"t","labels":{"l":"1"}}}"#)
        entries = ServerSideApply.recordUpdate(from: v3, to: v4, manager: "mgr-c", apiVersion: apiVersion, subresource: nil,
                                               time: "T4", managedFields: entries, listSemantics: nil)
        #expect(entries.map(\.manager) == ["mgr-c"])
        #expect(entries[0].fields.paths == [".metadata.labels", ".metadata.labels.l"])
    }

    @Test func statusWritesGetTheirOwnEntry() throws {
        let v1 = try j(#"{"metadata":{"name":"t"},"spec":{"a":1}}"#)
        var entries = ServerSideApply.recordUpdate(from: nil, to: v1, manager: "ctrl", apiVersion: apiVersion, subresource: nil,
                                                   time: "T1", managedFields: [], listSemantics: nil)
        let v2 = try j(#"{"metadata":{"name":"t"},"spec":{"a":1},"status":{"phase":"Ready"}}"#)
        entries = ServerSideApply.recordUpdate(from: v1, to: v2, manager: "ctrl", apiVersion: apiVersion, subresource: "status",
                                               time: "T2", managedFields: entries, listSemantics: nil)
        #expect(entries.count == 2)
        #expect(entries[1].subresource == "status" && entries[1].fields.paths == [".status", ".status.phase"])
        #expect(entries[0].subresource == nil && entries[0].fields.paths == [".spec", ".spec.a"])
    }
}
