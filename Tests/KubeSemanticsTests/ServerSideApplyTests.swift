import KubeJSON
import KubeYAML
import Testing

@testable import KubeSemantics

@Suite struct ServerSideApplyTests {
    let v = "causeway.dev/v1alpha1"

    private func y(_ text: String) throws -> JSON { try YAML.parse(text) }

    private func apply(_ config: String, to live: JSON?, as manager: String, force: Bool = false,
                       entries: [ManagedFieldsEntry] = [], time: String = "T") throws -> (object: JSON, managedFields: [ManagedFieldsEntry]) {
        try ServerSideApply.apply(try y(config), to: live, manager: manager, apiVersion: v, subresource: nil, force: force,
                                  time: time, managedFields: entries, listSemantics: deploymentLists)
    }

    private let head = "apiVersion: causeway.dev/v1alpha1\nkind: Thing"
    private let base = """
        apiVersion: causeway.dev/v1alpha1
        kind: Thing
        metadata: {name: t}
        """

    @Test func createRecordsAnApplyEntry() throws {
        let (object, entries) = try apply(base + "\nspec: {replicas: 1, mode: a}", to: nil, as: "mgr-a")
        #expect(object == (try y(base + "\nspec: {replicas: 1, mode: a}")))
        #expect(entries.count == 1)
        #expect(entries[0].json == (try JSON.parse(#"{"manager":"mgr-a","operation":"Apply","apiVersion":"causeway.dev/v1alpha1","time":"T","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:mode":{},"f:replicas":{}}}}"#)))
    }

    @Test func sameValueSharesOwnership() throws {
        let first = try apply(base + "\nspec: {replicas: 1, mode: a}", to: nil, as: "mgr-a")
        let second = try apply(base + "\nspec: {replicas: 1}", to: first.object, as: "mgr-b", entries: first.managedFields)
        #expect(second.object == first.object)
        #expect(second.managedFields.map(\.manager) == ["mgr-a", "mgr-b"])
        #expect(second.managedFields[0].fields.paths == [".spec.mode", ".spec.replicas"])
        #expect(second.managedFields[1].fields.paths == [".spec.replicas"])
    }

    @Test func noOpApplyChangesNothing() throws {
        let first = try apply(base + "\nspec: {replicas: 1}", to: nil, as: "mgr-a", time: "T1")
        let again = try apply(base + "\nspec: {replicas: 1}", to: first.object, as: "mgr-a", entries: first.managedFields, time: "T2")
        #expect(again.object == first.object)
        #expect(again.managedFields == first.managedFields)
        let changed = try apply(base + "\nspec: {replicas: 2}", to: first.object, as: "mgr-a", entries: first.managedFields, time: "T3")
        #expect(changed.managedFields[0].time == "T3")
    }

    @Test func differentValueConflicts() throws {
        let first = try apply(base + "\nspec: {replicas: 1}", to: nil, as: "mgr-a")
        #expect(throws: ApplyConflict(conflicts: [("mgr-a", ".spec.replicas")],
                                      message: "Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.replicas",
                                      causes: [FieldError(reason: "FieldManagerConflict", field: ".spec.replicas", message: "conflict with \"mgr-a\"")])) {
            try apply(base + "\nspec: {replicas: 3}", to: first.object, as: "mgr-b", entries: first.managedFields)
        }
    }

    @Test func conflictWithAnUpdateManagerNamesTheVersion() throws {
        let live = try y(base + "\nspec: {replicas: 1, mode: a}")
        let entries = ServerSideApply.recordUpdate(from: nil, to: live, manager: "updater", apiVersion: v, subresource: nil,
                                                   time: "T0", managedFields: [], listSemantics: nil)
        do {
            _ = try apply(base + "\nspec: {replicas: 2, mode: b}", to: live, as: "mgr-b", entries: entries)
            Issue.record("expected a conflict")
        } catch let error as ApplyConflict {
            #expect(error.message == """
                Apply failed with 2 conflicts: conflicts with "updater" using causeway.dev/v1alpha1:
                - .spec.mode
                - .spec.replicas
                """)
            #expect(error.conflicts.map(\.field) == [".spec.mode", ".spec.replicas"])
            #expect(error.causes[0].message == "conflict with \"updater\" using causeway.dev/v1alpha1")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func kubectlTakesOverFromClientSideApply() throws {
        let lastApplied = #"{"apiVersion":"causeway.dev/v1alpha1","kind":"Thing","metadata":{"name":"t"},"spec":{"replicas":1,"mode":"a"}}"#
        var live = try y(base + "\nspec: {replicas: 1, mode: b}")
        live["metadata"]?["annotations"] = ["kubectl.kubernetes.io/last-applied-configuration": .string(lastApplied)]
        let entries = ServerSideApply.recordUpdate(from: nil, to: live, manager: "kubectl-client-side-apply", apiVersion: v,
                                                   subresource: nil, time: "T0", managedFields: [], listSemantics: nil)
        // replicas still matches the annotation, so kubectl takes it over; mode drifted, so it conflicts.
        let taken = try apply(base + "\nspec: {replicas: 2}", to: live, as: "kubectl", entries: entries)
        #expect(taken.object[path: "spec", "replicas"] == 2)
        #expect(!(taken.managedFields.first { $0.manager == "kubectl-client-side-apply" }?.fields.paths.contains(".spec.replicas") ?? true))
        #expect(throws: ApplyConflict.self) { try apply(base + "\nspec: {replicas: 2, mode: c}", to: live, as: "kubectl", entries: entries) }
        // Any other manager name conflicts as usual.
        #expect(throws: ApplyConflict.self) { try apply(base + "\nspec: {replicas: 2}", to: live, as: "kubectl-ssa", entries: entries) }
    }

    @Test func forceTransfersOwnership() throws {
        let first = try apply(base + "\nspec: {replicas: 1, mode: a}", to: nil, as: "mgr-a")
        let forced = try apply(base + "\nspec: {replicas: 3}", to: first.object, as: "mgr-b", force: true, entries: first.managedFields)
        #expect(forced.object["spec"] == ["replicas": 3, "mode": "a"])
        #expect(forced.managedFields.map(\.manager) == ["mgr-a", "mgr-b"])
        #expect(forced.managedFields[0].fields.paths == [".spec.mode"])
        #expect(forced.managedFields[1].fields.paths == [".spec.replicas"])
        // Taking the last field makes the old owner's entry disappear.
        let all = try apply(base + "\nspec: {replicas: 3, mode: z}", to: forced.object, as: "mgr-b", force: true, entries: forced.managedFields)
        #expect(all.managedFields.map(\.manager) == ["mgr-b"])
    }

    @Test func droppedFieldsAreRemovedUnlessSomeoneElseOwnsThem() throws {
        let first = try apply(head + "\nspec: {replicas: 1, mode: a, extra: x}\nmetadata: {name: t, labels: {a: '1', b: '2'}}", to: nil, as: "mgr-a")
        // mgr-b shares `extra`.
        let shared = try apply(base + "\nspec: {extra: x}", to: first.object, as: "mgr-b", entries: first.managedFields)
        let second = try apply(head + "\nspec: {replicas: 1}\nmetadata: {name: t, labels: {a: '1'}}", to: shared.object, as: "mgr-a",
                               entries: shared.managedFields)
        #expect(second.object["spec"] == ["replicas": 1, "extra": "x"])
        #expect(second.object[path: "metadata", "labels"] == ["a": "1"])
        #expect(second.managedFields.first { $0.manager == "mgr-a" }?.fields.paths == [".metadata.labels.a", ".spec.replicas"])
        #expect(second.managedFields.first { $0.manager == "mgr-b" }?.fields.paths == [".spec.extra"])
    }

    @Test func mapListsMergeByKey() throws {
        let live = try y("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              template:
                spec:
                  containers:
                  - {name: web, image: 'nginx:1', ports: [{containerPort: 80, protocol: TCP}]}
                  - {name: sidecar, image: 'envoy:1'}
            """)
        let entries = ServerSideApply.recordUpdate(from: nil, to: live, manager: "kubectl-create", apiVersion: "apps/v1", subresource: nil,
                                                   time: "T0", managedFields: [], listSemantics: deploymentLists)
        let config = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              template:
                spec:
                  containers:
                  - {name: web, image: 'nginx:2'}
                  - {name: logger, image: 'fluent:1'}
            """
        #expect(throws: ApplyConflict.self) {
            try ServerSideApply.apply(try y(config), to: live, manager: "ops", apiVersion: "apps/v1", subresource: nil, force: false,
                                      time: "T1", managedFields: entries, listSemantics: deploymentLists)
        }
        let (merged, after) = try ServerSideApply.apply(try y(config), to: live, manager: "ops", apiVersion: "apps/v1", subresource: nil,
                                                        force: true, time: "T1", managedFields: entries, listSemantics: deploymentLists)
        let containers = merged[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
        #expect(containers.map { $0["name"] } == ["web", "sidecar", "logger"])
        #expect(containers[0] == (try y("{name: web, image: 'nginx:2', ports: [{containerPort: 80, protocol: TCP}]}".replacingOccurrences("{name", with: "x: {name")))["x"])
        let ops = after.first { $0.manager == "ops" }!
        #expect(ops.operation == "Apply")
        #expect(ops.fields.paths.contains(".spec.template.spec.containers[name=\"logger\"].image"))
        let creator = after.first { $0.manager == "kubectl-create" }!
        #expect(!creator.fields.paths.contains(".spec.template.spec.containers[name=\"web\"].image"))
        #expect(creator.fields.paths.contains(".spec.template.spec.containers[name=\"sidecar\"].image"))

        // ops stops applying logger: it is removed; the sidecar it never owned stays.
        let withoutLogger = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              template:
                spec:
                  containers:
                  - {name: web, image: 'nginx:2'}
            """
        let dropped = try ServerSideApply.apply(try y(withoutLogger),
                                                to: merged, manager: "ops", apiVersion: "apps/v1", subresource: nil, force: false,
                                                time: "T2", managedFields: after, listSemantics: deploymentLists)
        #expect((dropped.object[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []).map { $0["name"] } == ["web", "sidecar"])
    }

    @Test func setsUnionAndAtomicListsReplace() throws {
        let live = try y(head + "\nmetadata: {name: t, finalizers: [a]}\nspec: {list: [1, 2]}")
        let entries = ServerSideApply.recordUpdate(from: nil, to: live, manager: "c", apiVersion: v, subresource: nil,
                                                   time: "T0", managedFields: [], listSemantics: deploymentLists)
        let result = try apply(head + "\nmetadata: {name: t, finalizers: [b]}", to: live, as: "x", entries: entries)
        #expect(result.object[path: "metadata", "finalizers"] == ["a", "b"])
        #expect(throws: ApplyConflict.self) { try apply(base + "\nspec: {list: [3]}", to: live, as: "x", entries: entries) }
        let forced = try apply(base + "\nspec: {list: [3]}", to: live, as: "x", force: true, entries: entries)
        #expect(forced.object[path: "spec", "list"] == [3])
    }
}
