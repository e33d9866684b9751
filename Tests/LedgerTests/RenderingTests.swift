import Testing
import KubeJSON
@testable import Ledger

struct RenderingTests {
    @Test func theTableHasOneAlignedRowPerEntry() async throws {
        let entries = try await QueryTests.handBuiltLedger()
        let lines = LedgerRendering.table(entries).split(separator: "\n").map(String.init)
        #expect(lines.count == entries.count + 1)
        #expect(lines[0].hasPrefix("SEQ  TIME"))
        #expect(lines[1].hasPrefix("1    2025-03-04T05:06:08.089Z  Declared"))
        #expect(lines[1].contains("alice@example.com"))
        // Every column starts at the same offset on every line.
        let eventColumn = lines[0].range(of: "EVENT")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().allSatisfy { $0[$0.index($0.startIndex, offsetBy: eventColumn - 1)] == " " })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
    }

    @Test func exportIsTheStoredFormAndJSONRoundTrips() async throws {
        let entries = try await QueryTests.handBuiltLedger()
        let export = LedgerRendering.jsonLines(entries)
        #expect(export == String(decoding: entries.flatMap { $0.jsonLine() }, as: UTF8.self))
        let array = try #require(LedgerRendering.json(entries).arrayValue)
        #expect(try array.map { try LedgerEntry(json: $0) } == entries)
    }

    @Test func verificationNamesTheHeadOrTheFirstBadEntry() async throws {
        let entries = try await QueryTests.handBuiltLedger()
        let good = LedgerRendering.verification(LedgerVerifier.verify(entries), evolution: Fixtures.evolution)
        #expect(good == "\(Fixtures.evolution): valid, 16 entries, head 16 \(entries[15].hash.hex)")
        var tampered = entries
        tampered[4].actor = "mallory"
        let bad = LedgerRendering.verification(LedgerVerifier.verify(tampered), evolution: Fixtures.evolution)
        #expect(bad.hasPrefix("\(Fixtures.evolution): INVALID after 16 entries: "))
        #expect(bad.contains("5"))
    }

    @Test func theAuditSaysNoForTheEdgeWhoseSuccessorStartedTooEarly() async throws {
        let text = try LedgerRendering.audit(try await QueryTests.handBuiltLedger())
        #expect(text.contains("Generation 1, declared at 2025-03-04T05:06:08.089Z (seq 1)"))
        #expect(text.contains("  declared: db, api, web, docs"))
        #expect(text.contains("    db → api (Lockstep): no"))
        #expect(text.contains("— too late"))
        #expect(text.contains("    api → web (Independent): yes"))
        #expect(text.contains("    web → docs (Lockstep): not started"))
        #expect(text.contains("Transitions:"))
        #expect(text.contains("bob@example.com"))
    }
}
