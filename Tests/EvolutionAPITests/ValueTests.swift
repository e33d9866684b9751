import EvolutionAPI
import KubeJSON
import Testing

struct GoDurationTests {
    @Test(arguments: [
        ("30s", Int64(30_000_000_000)), ("5m", 300_000_000_000), ("1h30m", 5_400_000_000_000),
        ("250ms", 250_000_000), ("1.5s", 1_500_000_000), ("0", 0), ("0s", 0), ("2h45m30.5s", 9_930_500_000_000),
        ("100us", 100_000), ("100µs", 100_000), ("7ns", 7), ("-1m", -60_000_000_000), (".5s", 500_000_000),
    ])
    func parses(text: String, nanoseconds: Int64) {
        #expect(GoDuration(parsing: text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "10x", "10", "s", "1h 30m", "1.2.3s", "h1", "5M", "9999999999h", "--1s", "1e3s"])
    func rejects(text: String) {
        #expect(GoDuration(parsing: text) == nil)
    }

    /// Go's `Duration.String()` output, checked against Go for these values.
    @Test(arguments: [
        (Int64(0), "0s"), (1, "1ns"), (1_100, "1.1µs"), (2_200_000, "2.2ms"), (250_000_000, "250ms"),
        (1_500_000_000, "1.5s"), (60_000_000_000, "1m0s"), (5_400_000_000_000, "1h30m0s"),
        (3_723_000_000_000, "1h2m3s"), (-90_000_000_000, "-1m30s"), (30_000_000_000, "30s"),
    ])
    func formatsLikeGo(nanoseconds: Int64, text: String) {
        #expect(GoDuration(nanoseconds: nanoseconds).description == text)
        #expect(GoDuration(parsing: text)?.nanoseconds == nanoseconds)
    }

    @Test func syntaxHintSaysHowToFix() {
        #expect(GoDuration.syntaxHint("10x") == "\"10x\" is not a duration; use Go duration syntax such as 30s, 5m, 1h30m")
    }
}

struct TimestampTests {
    @Test func formatsRFC3339LikeGo() {
        #expect(Timestamp(secondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: 1_773_135_000).rfc3339 == "2026-03-10T09:30:00Z")
        #expect(Timestamp(nanosecondsSinceEpoch: 1_773_135_000_250_000_000).rfc3339 == "2026-03-10T09:30:00.25Z")
        #expect(Timestamp(secondsSinceEpoch: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Timestamp(rfc3339: "2026-03-10T09:30:00Z")?.nanosecondsSinceEpoch == 1_773_135_000_000_000_000)
        #expect(Timestamp(rfc3339: "2026-03-10T10:30:00+01:00") == Timestamp(secondsSinceEpoch: 1_773_135_000))
        #expect(Timestamp(rfc3339: "2026-03-10T09:30:00.123456789Z")?.nanosecondsSinceEpoch == 1_773_135_000_123_456_789)
        #expect(Timestamp(rfc3339: "2026-03-10 09:30:00Z") == nil)
        #expect(Timestamp(rfc3339: "2026-13-10T09:30:00Z") == nil)
        #expect(Timestamp(rfc3339: "2026-03-10T09:30:00") == nil)
    }

    @Test func roundTripsAcrossYears() {
        var t: Int64 = -2_000_000_000_000_000_000
        while t < 4_000_000_000_000_000_000 {
            let ts = Timestamp(nanosecondsSinceEpoch: t)
            #expect(Timestamp(rfc3339: ts.rfc3339) == ts, "\(ts)")
            t += 86_399_999_999_999_937
        }
    }
}

struct ContentHashTests {
    @Test func isFNV1a64() {
        // Reference values of FNV-1a 64.
        #expect(ContentHash.fnv1a64(Array("".utf8)) == 0xcbf2_9ce4_8422_2325)
        #expect(ContentHash.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(ContentHash.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test func ignoresKeyOrderAndNumberSpelling() {
        let a: JSON = ["b": 1, "a": ["y": 2.0, "x": "s"]]
        let b: JSON = ["a": ["x": "s", "y": 2], "b": 1.0]
        #expect(ContentHash.of(a) == ContentHash.of(b))
        #expect(ContentHash.of(a).count == 16)
        #expect(ContentHash.of(a) != ContentHash.of(["b": 2, "a": ["y": 2, "x": "s"]]))
    }
}

struct JSONPathTests {
    let object: JSON = [
        "metadata": ["generation": 4, "annotations": ["example.com/x": "yes"]],
        "status": ["observedGeneration": 3, "conditions": [["type": "Ready", "status": "True"]]],
    ]

    @Test func followsKeysIndexesAndQuotedKeys() {
        #expect(JSONPath(".status.observedGeneration")?.evaluate(object) == 3)
        #expect(JSONPath("status.conditions[0].type")?.evaluate(object) == "Ready")
        #expect(JSONPath("{.status.conditions[0].status}")?.evaluate(object) == "True")
        #expect(JSONPath("$.metadata.annotations['example.com/x']")?.evaluate(object) == "yes")
        #expect(JSONPath(".status.conditions[3].type")?.evaluate(object) == nil)
        #expect(JSONPath(".status.missing")?.evaluate(object) == nil)
    }

    @Test(arguments: ["", ".", "..a", ".a[", ".a[x]", ".a[0", "a..b", ".a['b"])
    func rejectsMalformedPaths(text: String) {
        #expect(JSONPath(text) == nil)
    }
}
