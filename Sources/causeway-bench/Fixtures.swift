import KubeJSON

/// Realistic inputs: a Pod of about 20 KB (labels, annotations, managedFields,
/// containers with env and probes, status) and a list of them of about 1 MB.
enum BenchFixtures {
    static func pod(_ i: Int) -> JSON {
        var env: [JSON] = []
        for e in 0..<62 { env.append(["name": .string("ENV_VAR_\(e)"), "value": .string("value-\(e)-\(i)-abcdefghijklmnop")]) }
        var containers: [JSON] = []
        for c in 0..<4 {
            containers.append([
                "name": .string("container-\(c)"), "image": "registry.example.com/team/app:v1.2.3",
                "args": ["--port=8080", "--verbose", "--config=/etc/app/config.yaml"],
                "env": .array(env),
                "ports": [["containerPort": 8080, "protocol": "TCP", "name": "http"]],
                "resources": ["limits": ["cpu": "500m", "memory": "512Mi"], "requests": ["cpu": "250m", "memory": "256Mi"]],
                "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080], "initialDelaySeconds": 10, "periodSeconds": 5,
                                  "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
                "volumeMounts": [["name": "config", "mountPath": "/etc/app", "readOnly": true]],
                "terminationMessagePath": "/dev/termination-log", "imagePullPolicy": "IfNotPresent",
            ])
        }
        var labels = JSONObject()
        var annotations = JSONObject()
        for l in 0..<15 {
            labels.set("app.kubernetes.io/label-\(l)", .string("value-\(l)"))
            annotations.set("example.com/annotation-\(l)", .string("annotation value number \(l) with \"quotes\" and unicode é"))
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string("app-\(i)-7d9f8b6c5d-x2x9z"), "namespace": "production", "uid": "8f3e2a1b-4c5d-6e7f-8a9b-0c1d2e3f4a5b",
                "resourceVersion": .string("\(123456 + i)"), "generation": 1, "creationTimestamp": "2026-11-24T10:00:00Z",
                "labels": .object(labels), "annotations": .object(annotations),
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-7d9f8b6c5d",
                                     "uid": "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "controller": true, "blockOwnerDeletion": true]],
                "managedFields": [["manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                                   "time": "2026-11-24T10:00:00Z", "fieldsType": "FieldsV1",
                                   "fieldsV1": ["f:metadata": ["f:labels": [".": [:], "f:app": [:]]], "f:spec": ["f:containers": ["k:{\"name\":\"app\"}": [".": [:]]]]]]],
            ],
            "spec": ["containers": .array(containers), "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                     "dnsPolicy": "ClusterFirst", "serviceAccountName": "default", "nodeName": "node-17",
                     "volumes": [["name": "config", "configMap": ["name": "app-config", "defaultMode": 420]]],
                     "tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300]]],
            "status": ["phase": "Running", "podIP": "10.0.3.17", "hostIP": "192.0.2.10", "startTime": "2026-11-24T10:00:01Z", "qosClass": "Burstable",
                       "conditions": [["type": "Ready", "status": "True", "lastProbeTime": nil, "lastTransitionTime": "2026-11-24T10:00:05Z"],
                                      ["type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-11-24T10:00:05Z"]],
                       "containerStatuses": [["name": "container-0", "ready": true, "restartCount": 0, "image": "registry.example.com/team/app:v1.2.3",
                                              "imageID": "registry.example.com/team/app@sha256:0123456789abcdef", "started": true,
                                              "containerID": "containerd://abcdef0123456789", "state": ["running": ["startedAt": "2026-11-24T10:00:03Z"]]]],
                       "cpuRatio": 0.731, "memoryRatio": 1.5e-3],
        ]
    }

    static func podList(targetBytes: Int) -> JSON {
        var items: [JSON] = []
        var size = 0
        var i = 0
        while size < targetBytes {
            let p = pod(i)
            size += p.serialized().count
            items.append(p)
            i += 1
        }
        return ["apiVersion": "v1", "kind": "PodList", "metadata": ["resourceVersion": "999999"], "items": .array(items)]
    }

    /// A ConfigMap of about `bytes` bytes, for watch events.
    static func configMap(_ i: Int, bytes: Int) -> JSON {
        let filler = String(repeating: "x", count: max(bytes - 300, 0))
        return ["apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string("cm-\(i)"), "namespace": "bench", "resourceVersion": .string("\(i + 1)"),
                             "uid": "00000000-0000-0000-0000-000000000000", "labels": ["app": "bench"]],
                "data": ["payload": .string(filler)]]
    }
}
