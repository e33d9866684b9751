import Testing
import TestSupport
import KubeJSON
@testable import KubeYAML

struct YAMLRoundTripTests {
    static let pieces = ["a", "Z", "0", "1", " ", ":", "#", "-", "\n", "\t", "\"", "'", "\\", "yes", "on", "~",
                         ".", "e", "é", "中", "😀", "\u{1}", "&", "*", "!", "{", "[", ",", "?", "|", ">", "<<", "%", "@"]

    /// Strings that a careless emitter would let Kubernetes read back as something else.
    static let treacherous: [String] = [
        "yes", "no", "on", "off", "y", "N", "True", "NULL", "~", "", "null", "0755", "0x1F", "1e3", "1.10",
        "1_000", "+1", "-0", ".5", ".inf", "-.inf", ".nan", "2024-01-02", "2001-12-14t21:59:43.10-05:00",
        "<<", "=", "- a", "a: b", "#x", "x #y", "&a", "*a", "!tag", "%x", "@x", "`x", "'q'", "\"dq\"",
        " lead", "trail ", "multi\nline", "multi\nline\n", "\ttab", "\u{0}nul", "\u{1b}esc", "é中😀",
        "\u{2028}", "\u{85}", "{a: 1}", "[1]", ",", "? x", "|", ">", "0o17", "0b1", "08", "12:30",
    ]

    @Test(arguments: treacherous)
    func stringsSurviveAsStrings(_ s: String) throws {
        let value: JSON = ["key": .string(s), .init(stringLiteral: s): "as key"]
        let text = try YAML.emit(value)
        #expect(try YAML.parse(text) == value, "emitted:\n\(text)")
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<1_000 {
            let value = RandomJSON.value(maxDepth: 3, maxWidth: 4, pieces: Self.pieces, using: &rng)
            let text = try YAML.emit(value)
            #expect(try YAML.parse(text) == value, "emitted:\n\(text)")
        }
    }

    @Test func multiDocumentStreamsRoundTrip() throws {
        let docs: [JSON] = [["kind": "A"], ["kind": "B", "n": 1], ["list": [1, "two", nil]]]
        let text = try YAML.emit(docs)
        #expect(text.contains("---"))
        #expect(try YAML.parseStream(text) == docs)
    }

    @Test func emitsReadableBlockYAML() throws {
        let value: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x", "labels": [:]],
                           "data": ["script": "echo 1\necho 2\n", "flag": "on"], "items": [1, 2.5]]
        #expect(try YAML.emit(value) == """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: x
              labels: {}
            data:
              script: |
                echo 1
                echo 2
              flag: "on"
            items:
            - 1
            - 2.5

            """)
    }
}
