import ArgumentParser
import Foundation
import KubeJSON
import KubeYAML

/// `causeway reference`: the Evolution's fields as a Markdown table, generated from the CRD's
/// schema (the one the API server validates against), so the README cannot say otherwise.
struct ReferenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Print the Evolution field reference (Markdown), generated from the CRD's schema.")

    @Option(help: "The CRD.") var crd = "Manifests/crd/evolution.yaml"

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: crd), let definition = try YAML.parseStream(Array(data)).first,
              let spec = definition[path: "spec", "versions"]?[0]?[path: "schema", "openAPIV3Schema", "properties", "spec"] else {
            throw CommandFailure("cannot read the Evolution schema from \(crd); run from the repository root or pass --crd")
        }
        say(Self.table(spec), terminator: "")
    }

    static func table(_ spec: JSON) -> String {
        var rows = ["| field | type | meaning |", "| --- | --- | --- |"]
        // Object schemas already in the table, without their descriptions: a repeat is named, not
        // listed again (a compensation step has a step's fields; every check names its object alike).
        var printed: [(shape: JSON, path: String)] = []
        func shape(_ schema: JSON) -> JSON {
            var s = schema
            s["description"] = nil
            return s
        }
        func visit(_ schema: JSON, _ path: String) {
            var meaning = escape(schema["description"]?.stringValue ?? "")
            // (`!= nil` on a JSON member would compare with JSON's own null literal: ask for the object.)
            let hasProperties = { (s: JSON?) in s?["properties"]?.objectValue != nil }
            let object = hasProperties(schema) ? schema : (hasProperties(schema["items"]) ? schema["items"] : nil)
            let itemPath = hasProperties(schema) ? path : "\(path)[]"
            if let object, let same = printed.first(where: { $0.shape == shape(object) }) {
                meaning += (meaning.isEmpty ? "" : " ") + (itemPath == path ? "The fields of `\(same.path)`." : "Each item has the fields of `\(same.path)`.")
                rows.append("| `\(path)` | \(type(of: schema)) | \(meaning) |")
                return
            }
            if path != "spec" { rows.append("| `\(path)` | \(type(of: schema)) | \(meaning) |") }
            guard let object else { return }
            printed.append((shape(object), itemPath))
            let properties = object["properties"]?.objectValue ?? JSONObject()
            for (key, child) in zip(properties.keys, properties.values) { visit(child, "\(itemPath).\(key)") }
        }
        visit(spec, "spec")
        return rows.joined(separator: "\n") + "\n"
    }

    static func type(of schema: JSON) -> String {
        var text = schema["type"]?.stringValue ?? "any"
        if text == "array", let item = schema["items"]?["type"]?.stringValue, schema["items"]?["properties"]?.objectValue == nil { text = "array of \(item)" }
        if schema["pattern"]?.stringValue?.contains("ns|us") == true { text = "duration" }
        if let values = schema["enum"]?.arrayValue?.compactMap(\.stringValue) { text += ": " + values.map { "`\($0)`" }.joined(separator: ", ") }
        return text
    }

    static func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
