import KubeJSON
import KubeYAML
import Testing

@testable import KubeSemantics

@Suite struct StrategicMergePatchTests {
    private func y(_ text: String) throws -> JSON { try YAML.parse(text) }

    private let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          finalizers: [a.dev/one, a.dev/two]
          labels: {app: web, tier: front}
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - name: web
                image: nginx:1
                env: [{name: A, value: '1'}, {name: B, value: '2'}]
                ports: [{containerPort: 80}]
                args: [--a, --b]
              - name: sidecar
                image: envoy:1
              volumes: [{name: data, emptyDir: {}}]
              tolerations: [{key: x}]
        """

    @Test func containersAndEnvMergeByName() throws {
        let patched = try StrategicMergePatch.apply(try y("""
            spec:
              template:
                spec:
                  containers:
                  - name: web
                    image: nginx:2
                    env: [{name: B, value: '20'}, {name: C, value: '3'}]
                    ports: [{containerPort: 443}]
                    args: [--c]
                  - name: logger
                    image: fluent:1
                  tolerations: [{key: 'y'}]
            """), to: try y(deployment), kind: "Deployment")
        let containers = patched[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
        #expect(containers.map { $0["name"] } == ["web", "sidecar", "logger"])
        #expect(containers[0]["image"] == "nginx:2")
        #expect(containers[0]["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "20"], ["name": "C", "value": "3"]])
        #expect(containers[0]["ports"] == [["containerPort": 80], ["containerPort": 443]])
        #expect(containers[0]["args"] == ["--c"])  // no strategy: replaced
        #expect(containers[1] == ["name": "sidecar", "image": "envoy:1"])
        #expect(patched[path: "spec", "template", "spec", "tolerations"] == [["key": "y"]])
        #expect(patched[path: "spec", "replicas"] == 2)
    }

    @Test func deleteDirectivesAndNulls() throws {
        let patched = try StrategicMergePatch.apply(try y("""
            metadata:
              labels: {tier: null}
              $deleteFromPrimitiveList/finalizers: [a.dev/one]
            spec:
              template:
                spec:
                  containers:
                  - {name: sidecar, $patch: delete}
                  - name: web
                    env: [{name: A, $patch: delete}]
                  volumes:
                  - {$patch: replace}
                  - {name: cache, emptyDir: {}}
            """), to: try y(deployment), kind: "Deployment")
        #expect(patched[path: "metadata", "labels"] == ["app": "web"])
        #expect(patched[path: "metadata", "finalizers"] == ["a.dev/two"])
        let containers = patched[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
        #expect(containers.map { $0["name"] } == ["web"])
        #expect(containers[0]["env"] == [["name": "B", "value": "2"]])
        #expect(patched[path: "spec", "template", "spec", "volumes"] == [["name": "cache", "emptyDir": [:]]])
    }

    @Test func finalizersMergeAsASet() throws {
        let patched = try StrategicMergePatch.apply(try y("metadata: {finalizers: [a.dev/two, a.dev/three]}"),
                                                    to: try y(deployment), kind: "Deployment")
        #expect(patched[path: "metadata", "finalizers"] == ["a.dev/one", "a.dev/two", "a.dev/three"])
    }

    @Test func mapDirectives() throws {
        let target = try y(deployment)
        let replaced = try StrategicMergePatch.apply(try y("metadata: {labels: {$patch: replace, new: x}}"), to: target, kind: "Deployment")
        #expect(replaced[path: "metadata", "labels"] == ["new": "x"])
        let deleted = try StrategicMergePatch.apply(try y("metadata: {labels: {$patch: delete}}"), to: target, kind: "Deployment")
        #expect(deleted[path: "metadata", "labels"] == nil)
        let retained = try StrategicMergePatch.apply(try y("""
            spec:
              strategy: {$retainKeys: [type], type: Recreate}
            """), to: try y(deployment + "\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}"), kind: "Deployment")
        #expect(retained[path: "spec", "strategy"] == ["type": "Recreate"])
        let ordered = try StrategicMergePatch.apply(try y("""
            spec:
              template:
                spec:
                  $setElementOrder/containers: [{name: sidecar}, {name: web}]
                  containers: [{name: web, image: nginx:3}]
            """), to: target, kind: "Deployment")
        let containers = ordered[path: "spec", "template", "spec", "containers"]?.arrayValue ?? []
        #expect(containers.map { $0["name"] } == ["sidecar", "web"])
        #expect(!ordered.serializedString().contains("$"))
        let withServerOnly = try StrategicMergePatch.apply(try y("""
            metadata:
              $setElementOrder/finalizers: [a.dev/three, a.dev/one]
              finalizers: [a.dev/three]
            """), to: target, kind: "Deployment")
        #expect(withServerOnly[path: "metadata", "finalizers"] == ["a.dev/three", "a.dev/one", "a.dev/two"])
        #expect(!deleted.serializedString().contains("$"))
    }

    @Test func configMapsAndErrors() throws {
        let cm = try y("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: '2'}")
        #expect(try StrategicMergePatch.apply(try y("data: {a: null, c: '3'}"), to: cm, kind: "ConfigMap")["data"] == ["b": "2", "c": "3"])
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(try y("spec: {template: {spec: {containers: [{image: x}]}}}"), to: try y(deployment), kind: "Deployment")
        }
        #expect(throws: PatchError.self) { try StrategicMergePatch.apply(["a", "b"], to: cm, kind: "ConfigMap") }
        #expect(throws: PatchError.self) { try StrategicMergePatch.apply(["$patch": "delete"], to: cm, kind: "ConfigMap") }
        let service = try y("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, name: http}]}")
        let patched = try StrategicMergePatch.apply(try y("spec: {ports: [{port: 443, name: https}]}"), to: service, kind: "Service")
        #expect(patched[path: "spec", "ports"]?.arrayValue?.count == 2)
        #expect(StrategicMergePatch.listSemantics(kind: "Deployment")(["spec", "template", "spec", "containers"]) == .map(keys: ["name"]))
    }
}
