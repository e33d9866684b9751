import Foundation
import Testing
import KubeJSON
@testable import KubeYAML

/// The corpus in Fixtures/ (see its README): every expected result was produced
/// by kubectl's own client-side YAML decoding (`hack/gen-yaml-fixtures.sh`).
struct KubectlFixtureTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: [UInt8]
        let expectedJSON: [UInt8]?
        /// `.any.json`: kubectl's output varied between runs; any one of these is right.
        let anyOfJSON: [UInt8]?
        let kubectlError: String?
        let multiDocument: Bool
        var testDescription: String { name }
    }

    /// Where we deliberately differ from kubectl, and why.
    static let deliberateDeviations: [String: String] = [
        // kubectl silently keeps the last of two equal keys; a manifest that says
        // two things about one field is a mistake we report, as the API server's
        // strict field validation does.
        "duplicate-keys": "rejected", "duplicate-keys-nested": "rejected",
        "duplicate-keys-after-conversion": "rejected", "bool-key-collision-on-and-true": "rejected",
        "bool-keys-on-off-yes-no": "rejected",
        // kubectl's own document splitter breaks these valid YAML streams; libyaml reads them.
        "yaml-directive-1.1": "accepted", "separator-with-content-same-line": "accepted",
        // go-yaml's scanner predates YAML 1.2; libyaml 0.2.5 accepts the 1.2 directive and the `\/` escape.
        "yaml-directive-1.2": "accepted", "string-double-quote-escape-slash": "accepted",
    ]

    static let fixtures: [Fixture] = {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        var result: [Fixture] = []
        for (dir, multi) in [(root, false), (root.appendingPathComponent("multidoc"), true)] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in names.sorted() where file.hasSuffix(".yaml") {
                let base = String(file.dropLast(5))
                let read = { (ext: String) in try? Data(contentsOf: dir.appendingPathComponent(base + ext)) }
                result.append(Fixture(
                    name: (multi ? "multidoc/" : "") + base,
                    yaml: Array(read(".yaml")!),
                    expectedJSON: read(".json").map(Array.init),
                    anyOfJSON: read(".any.json").map(Array.init),
                    kubectlError: read(".error").map { String(decoding: $0, as: UTF8.self) },
                    multiDocument: multi))
            }
        }
        return result
    }()

    @Test func corpusIsLargeAndComplete() {
        #expect(Self.fixtures.count >= 60)
        for f in Self.fixtures {
            let outcomes = [f.expectedJSON != nil, f.anyOfJSON != nil, f.kubectlError != nil].filter { $0 }
            #expect(outcomes.count == 1, "\(f.name) needs exactly one expected outcome")
        }
    }

    @Test(arguments: fixtures)
    func matchesKubectl(_ fixture: Fixture) throws {
        let baseName = fixture.name.split(separator: "/").last.map(String.init) ?? fixture.name
        let ours = Result { () throws(YAMLError) in try YAML.parseStream(fixture.yaml) }

        let deviation = Self.deliberateDeviations[baseName] ?? (baseName.contains("duplicate-keys") ? "rejected" : nil)
        if let deviation {
            switch deviation {
            case "rejected": #expect(throws: YAMLError.self) { try ours.get() }
            default: _ = try ours.get()
            }
            return
        }
        if let error = fixture.kubectlError {
            // kubectl also rejects objects it cannot decode (no kind, top-level list,
            // bad metadata) and files with no object: valid YAML, so we must parse it.
            if error.contains("error parsing") {
                #expect(throws: YAMLError.self, "kubectl said: \(error)") { try ours.get() }
            } else {
                _ = try ours.get()
            }
            return
        }
        let documents = try ours.get()
        if let alternatives = fixture.anyOfJSON {
            let options = try JSON.parse(alternatives).arrayValue ?? []
            #expect(options.contains(.array(documents)) || options.contains(documents.first ?? .null))
            return
        }
        let expected = try JSON.parse(try #require(fixture.expectedJSON))
        if fixture.multiDocument {
            #expect(JSON.array(documents) == expected)
        } else {
            #expect(documents.count == 1)
            #expect(documents.first == expected)
        }
    }
}
