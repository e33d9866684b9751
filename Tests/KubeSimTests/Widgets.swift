import Foundation
import KubeClient
import KubeJSON
import KubeYAML
import KubeSimTesting
@testable import KubeSim

/// The suite's cluster: an admin that does not retry (so a fault reaches the test) and user alice (`alice-token`).
extension SimCluster {
    static func start(tls: Bool = false, configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> SimCluster {
        try await start("test", tls: tls, retry: .none) { options in
            options.tokens["alice-token"] = SimUser(name: "alice")
            configure(&options)
        }
    }

    static let widgetCRD: JSON = try! YAML.parse("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.probe.dev}
        spec:
          group: probe.dev
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [probe]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Phase, type: string, jsonPath: .status.phase}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      color: {type: string, enum: [red, green, blue], default: red}
                      size: {type: integer, minimum: 1, maximum: 10}
                      tags: {type: array, maxItems: 3, items: {type: string}}
                      nested: {type: object, default: {}, properties: {enabled: {type: boolean, default: true}}}
                      free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                      observedGeneration: {type: integer}
                      conditions:
                        type: array
                        items:
                          type: object
                          required: [type, status]
                          properties:
                            type: {type: string}
                            status: {type: string}
        """)

    static let widgets = APIResource(group: "probe.dev", version: "v1", name: "widgets", kind: "Widget", namespaced: true)

    func installWidgets() async throws {
        _ = try await admin.create(.customResourceDefinitions, Self.widgetCRD)
    }

    static func widget(_ name: String, size: Int64 = 3, labels: JSON = [:]) -> JSON {
        ["apiVersion": "probe.dev/v1", "kind": "Widget", "metadata": ["name": .string(name), "labels": labels], "spec": ["size": .int(size)]]
    }
}
