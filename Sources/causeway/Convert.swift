import ArgumentParser
import Foundation
import KubeJSON
import KubeYAML

/// YAML ⇄ JSON with Kubernetes' rules, e.g. to see what `on:` or `0755` become.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert Kubernetes manifests between YAML and JSON, exactly as Causeway reads them.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case json, yaml }

    @Option(name: [.short, .customLong("output")], help: "Output format: json or yaml.")
    var output: Format = .json

    @Argument(help: "Manifest files (YAML or JSON, several documents allowed); '-' or none reads stdin.")
    var files: [String] = []

    func run() throws {
        var documents: [JSON] = []
        for file in files.isEmpty ? ["-"] : files {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw CommandFailure("cannot read \(file)") }
            do {
                documents += try YAML.parseStream(Array(data))
            } catch {
                throw CommandFailure("\(file): \(error)")
            }
        }
        switch output {
        case .json:
            let out = documents.count == 1 ? documents[0] : ["apiVersion": "v1", "kind": "List", "items": .array(documents)]
            print(out.prettyString())
        case .yaml:
            print(try YAML.emit(documents), terminator: "")
        }
    }
}
