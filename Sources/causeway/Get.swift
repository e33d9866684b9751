import ArgumentParser
import KubeClient
import KubeJSON
import KubeYAML

/// Reads objects through KubeClient: a quick end-to-end check of a kubeconfig.
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Get or list objects of a kind (discovered from the server) and print them.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "apiVersion of the kind, e.g. v1 or apps/v1.")
    var apiVersion: String = "v1"

    @Argument(help: "Kind, e.g. ConfigMap.")
    var kind: String

    @Argument(help: "Object name; omitted lists them all.")
    var name: String?

    @Option(name: [.short, .customLong("output")], help: "Output format: json or yaml.")
    var output: Convert.Format = .yaml

    @Option(name: [.short, .customLong("selector")], help: "Label selector for lists.")
    var selector: String?

    func run() async throws {
        let client = try cluster.client()
        let resource = try await client.resource(apiVersion: apiVersion, kind: kind)
        let result: JSON
        if let name {
            result = try await client.get(resource, name: name, namespace: cluster.namespace)
        } else {
            let list = try await client.listAll(resource, namespace: resource.namespaced ? client.config.namespace : nil,
                                                options: ListOptions(labelSelector: selector))
            result = ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": .string(list.resourceVersion)],
                      "items": .array(list.items)]
        }
        print(output == .json ? result.prettyString() : try YAML.emit(result), terminator: output == .json ? "\n" : "")
    }
}
