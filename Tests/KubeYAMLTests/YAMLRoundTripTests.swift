import Testing
import KubeJSON
@testable import KubeYAML

struct YAMLRoundTripTests {
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
            let value = RandomJSON.value(depth: 0, using: &rng)
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

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static func value(depth: Int, using rng: inout SplitMix64) -> JSON {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : -1.5e-9)
        case 4: return .string(string(using: &rng))
        case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { object.set(string(using: &rng), value(depth: depth + 1, using: &rng)) }
            return .object(object)
        }
    }

    static let pieces = ["a", "Z", "0", "1", " ", ":", "#", "-", "\n", "\t", "\"", "'", "\\", "yes", "on", "~",
                         ".", "e", "é", "中", "😀", "\u{1}", "&", "*", "!", "{", "[", ",", "?", "|", ">", "<<", "%", "@"]

    static func string(using rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }
}
