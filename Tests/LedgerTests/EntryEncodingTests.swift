import Testing
import Foundation
import KubeJSON
@testable import Ledger

struct EntryEncodingTests {
    static func goldenEntry() -> LedgerEntry {
        let detail: JSONObject = ["z": 1, "a": ["y": .double(-0.0), "b": [1.5, "x\n"]], "é": true, "Z": nil]
        return LedgerEntry(seq: 1, at: LedgerTime(rfc3339: "2025-03-04T05:06:07.089Z")!, evolution: Fixtures.evolution,
                           generation: 2, event: .stepStarted, step: "idp-roles", target: "us-east",
                           actor: "causeway-controller", detail: detail, id: "2/StepStarted/idp-roles/us-east",
                           prev: .zero)
    }

    // The hash below was computed with `sha256sum` over the text, independently of this code.
    static let goldenCanonical = #"{"version":1,"seq":1,"at":"2025-03-04T05:06:07.089Z","evolution":{"namespace":"platform","name":"auditor-role","uid":"6f1c2a9e-0b7d-4c1e-9a55-2f0d3b8e7c41"},"generation":2,"event":"StepStarted","step":"idp-roles","target":"us-east","actor":"causeway-controller","detail":{"Z":null,"a":{"b":[1.5,"x\n"],"y":0},"z":1,"é":true},"id":"2/StepStarted/idp-roles/us-east","prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#
    static let goldenHash = "4079796c1071e21c7657ee7c703fb0a96a4e93c6a1a06312349063c9fe62c6fb"

    @Test func canonicalEncodingIsExactlyAsDocumented() {
        let entry = Self.goldenEntry()
        #expect(String(decoding: entry.canonicalBytes(), as: UTF8.self) == Self.goldenCanonical)
        #expect(entry.computedHash().hex == Self.goldenHash)
    }

    @Test func storedLineRoundTripsAndStillVerifies() throws {
        var entry = Self.goldenEntry()
        entry.hash = entry.computedHash()
        let line = entry.jsonLine()
        #expect(line.last == UInt8(ascii: "\n"))
        let text = String(decoding: line.dropLast(), as: UTF8.self)
        #expect(text == Self.goldenCanonical.dropLast() + #","hash":"\#(Self.goldenHash)"}"#)
        let decoded = try line.dropLast().withUnsafeBufferPointer { try LedgerEntry(jsonLine: $0) }
        #expect(decoded == entry)
        #expect(decoded.computedHash() == entry.hash)
        #expect(decoded.jsonLine() == line)
    }

    @Test func detailMemberOrderDoesNotChangeTheHash() {
        var a = Self.goldenEntry()
        var b = a
        a.detail = ["first": 1, "second": ["x": 1, "y": 2]]
        b.detail = ["second": ["y": 2, "x": 1], "first": 1]
        #expect(a.detail == b.detail)
        #expect(a.computedHash() == b.computedHash())
    }

    @Test func unknownEventsAndNewerFieldsSurviveAndVerify() throws {
        var entry = Self.goldenEntry()
        entry.version = 7
        entry.event = LedgerEvent(rawValue: "QuantumLeap")
        entry.extensions = ["zeta": ["b": 1, "a": 2], "alpha": "new"]
        entry.hash = entry.computedHash()
        let decoded = try entry.jsonLine().dropLast().withUnsafeBufferPointer { try LedgerEntry(jsonLine: $0) }
        #expect(decoded.event == .other("QuantumLeap"))
        #expect(decoded.version == 7)
        #expect(decoded.extensions == entry.extensions)
        #expect(decoded.computedHash() == entry.hash)
        #expect(LedgerVerifier.verify([decoded]).isValid)
    }

    @Test func knownEventNamesRoundTrip() {
        for event in LedgerEvent.known {
            #expect(LedgerEvent(rawValue: event.rawValue) == event)
        }
        #expect(LedgerEvent(rawValue: "Declared") == .declared)
    }

    @Test func decodingNamesTheBadField() {
        let cases: [(String, String)] = [
            (#"{"version":1}"#, "seq"),
            (Self.goldenCanonical.replacingOccurrences(of: #""at":"2025-03-04T05:06:07.089Z""#, with: #""at":"2025-03-04T05:06:07Z""#), "at"),
            (Self.goldenCanonical.replacingOccurrences(of: #""seq":1"#, with: #""seq":"1""#), "seq"),
            (Self.goldenCanonical, "hash"),
            (#"[1]"#, ""),
        ]
        for (text, field) in cases {
            let bytes = Array(text.utf8)
            #expect(throws: LedgerEntryDecodingError.self) {
                try bytes.withUnsafeBufferPointer { try LedgerEntry(jsonLine: $0) }
            }
            do {
                _ = try bytes.withUnsafeBufferPointer { try LedgerEntry(jsonLine: $0) }
            } catch let error as LedgerEntryDecodingError {
                #expect(error.field == field, "\(text)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

struct LedgerTimeTests {
    @Test func formatsAndParsesMilliseconds() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1, "1970-01-01T00:00:00.001Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_741_064_767_089, "2025-03-04T05:06:07.089Z"),
            (LedgerTime.earliest.millisecondsSinceEpoch, "0000-01-01T00:00:00.000Z"),
            (LedgerTime.latest.millisecondsSinceEpoch, "9999-12-31T23:59:59.999Z"),
        ]
        for (ms, text) in cases {
            #expect(LedgerTime(millisecondsSinceEpoch: ms).rfc3339 == text)
            #expect(LedgerTime(rfc3339: text)?.millisecondsSinceEpoch == ms)
        }
    }

    @Test func roundTripsRandomInstants() {
        var rng = SeededRNG(seed: 7)
        for _ in 0..<10_000 {
            let ms = Int64.random(in: LedgerTime.earliest.millisecondsSinceEpoch...LedgerTime.latest.millisecondsSinceEpoch, using: &rng)
            let t = LedgerTime(millisecondsSinceEpoch: ms)
            #expect(LedgerTime(rfc3339: t.rfc3339) == t)
        }
    }

    @Test func rejectsAnythingButTheCanonicalForm() {
        for text in ["2025-03-04T05:06:07Z", "2025-03-04T05:06:07.08Z", "2025-03-04T05:06:07.089+00:00",
                     "2025-02-29T00:00:00.000Z", "2025-13-01T00:00:00.000Z", "2025-03-04T24:00:00.000Z",
                     "2025-03-04T05:06:60.000Z", "2025-03-04t05:06:07.089Z", "２025-03-04T05:06:07.089Z"] {
            #expect(LedgerTime(rfc3339: text) == nil, "\(text)")
        }
    }
}
