import Testing
import KubeJSON
@testable import Ledger

struct QueryTests {
    static let declared = DeclaredSequence(
        steps: [
            .init(name: "db", targets: ["us-east", "eu-west"], sync: .lockstep),
            .init(name: "api", targets: ["us-east", "eu-west"], sync: .independent),
            .init(name: "web", targets: ["us-east", "eu-west"]),
            .init(name: "docs", targets: []),
        ],
        edges: [.init(from: "db", to: "api"), .init(from: "api", to: "web"), .init(from: "web", to: "docs")],
        sequenceHash: String(repeating: "ab", count: 32))

    static func time(_ seconds: Int) -> LedgerTime {
        LedgerTime(millisecondsSinceEpoch: Fixtures.epoch.millisecondsSinceEpoch + Int64(seconds) * 1000)
    }

    /// db converges on us-east, then api starts on us-east *before* db converged on eu-west.
    static func handBuiltLedger() async throws -> [LedgerEntry] {
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: MemoryLedgerStore())
        var n = 0
        func d(_ event: LedgerEvent, _ step: String?, _ target: String?, actor: String = "causeway-controller",
               detail: JSONObject = [:]) -> EntryDraft {
            n += 1
            return EntryDraft(id: "1/\(event)/\(step ?? "-")/\(target ?? "-")/\(n)", event: event, generation: 1, step: step,
                              target: target, actor: actor, detail: detail, at: time(n))
        }
        let object = AppliedChange.Object(apiVersion: "apps/v1", kind: "StatefulSet", namespace: "shop", name: "db",
                                          contentHash: String(repeating: "c", count: 64), resourceVersion: "101")
        let drafts = [
            d(.declared, nil, nil, actor: "alice@example.com", detail: declared.detail),   // 1
            d(.stepStarted, "db", "us-east"),                                             // 2
            d(.applied, "db", "us-east", detail: AppliedObject.detail(stepContentHash: "0123456789abcdef", objects: [object])),  // 3
            d(.stepStarted, "db", "eu-west"),                                             // 4
            d(.applied, "db", "eu-west", detail: AppliedObject.detail(stepContentHash: "0123456789abcdef", objects: [object])),  // 5
            d(.stepConverged, "db", "us-east"),                                           // 6
            d(.stepStarted, "api", "us-east"),                                            // 7  too early
            d(.stepConverged, "db", "eu-west"),                                           // 8
            d(.stepConverged, "db", nil),                                                 // 9
            d(.stepStarted, "api", "eu-west"),                                            // 10
            d(.stepConverged, "api", "us-east"),                                          // 11
            d(.stepStarted, "web", "us-east", actor: "bob@example.com"),                  // 12 fine: Independent
            d(.stepConverged, "api", "eu-west"),                                          // 13
            d(.stepStarted, "web", "eu-west"),                                            // 14
            d(.deviation, "db", "us-east", actor: "kubectl-edit"),                        // 15
            d(.acknowledged, "web", nil, actor: "carol@example.com"),                     // 16
        ]
        return try await ledger.append(drafts)
    }

    @Test func aSuccessorThatStartedBeforeConvergenceIsANoWithTheProvingTimestamps() async throws {
        let queries = LedgerQueries(entries: try await Self.handBuiltLedger())
        let audit = try queries.convergenceAudit()
        #expect(audit.map(\.edge.description) == ["db → api", "api → web", "web → docs"])

        let dbToAPI = audit[0]
        #expect(dbToAPI.sync == .lockstep)
        #expect(dbToAPI.confirmed == false)
        #expect(dbToAPI.checks == [
            EdgeAudit.Check(successorTarget: "us-east", successorStarted: LedgerStamp(seq: 7, at: Self.time(7)), required: [
                EdgeAudit.Requirement(target: "us-east", converged: LedgerStamp(seq: 6, at: Self.time(6)), inTime: true),
                EdgeAudit.Requirement(target: "eu-west", converged: LedgerStamp(seq: 8, at: Self.time(8)), inTime: false),
            ]),
        ])
        #expect(dbToAPI.description.contains("db converged on eu-west: 2025-03-04T05:06:15.089Z (seq 8) — too late"))

        let apiToWeb = audit[1]
        #expect(apiToWeb.sync == .independent)
        #expect(apiToWeb.confirmed == true)
        #expect(apiToWeb.checks.map(\.successorTarget) == ["us-east", "eu-west"])
        #expect(apiToWeb.checks[0].required == [EdgeAudit.Requirement(target: "us-east", converged: LedgerStamp(seq: 11, at: Self.time(11)), inTime: true)])
        #expect(apiToWeb.checks[1].required == [EdgeAudit.Requirement(target: "eu-west", converged: LedgerStamp(seq: 13, at: Self.time(13)), inTime: true)])

        #expect(audit[2].verdict == .notStarted)
        #expect(audit[2].confirmed == nil)
    }

    @Test func whatChangedInWhatOrderAndWhoInitiatedIt() async throws {
        let queries = LedgerQueries(entries: try await Self.handBuiltLedger())
        let changes = try queries.changes()
        #expect(changes.map(\.stamp.seq) == [3, 5])
        #expect(changes.map(\.target) == ["us-east", "eu-west"])
        #expect(changes[0].objects == [AppliedChange.Object(apiVersion: "apps/v1", kind: "StatefulSet", namespace: "shop", name: "db",
                                                            contentHash: String(repeating: "c", count: 64), resourceVersion: "101")])

        let transitions = queries.transitions()
        #expect(!transitions.contains { $0.event == .applied || $0.event == .deviation })
        #expect(transitions.first { $0.event == .declared }?.actor == "alice@example.com")
        #expect(transitions.first { $0.event == .stepStarted && $0.step == "web" && $0.target == "us-east" }?.actor == "bob@example.com")
        #expect(transitions.last?.actor == "carol@example.com")

        let section = try #require(try queries.sections().first)
        #expect(section.declared == Self.declared)
        #expect(section.declaredAt.seq == 1)
        #expect(section.actual.map { "\($0.step)@\($0.target ?? "*")" } == [
            "db@us-east", "db@eu-west", "api@us-east", "api@eu-west", "web@us-east", "web@eu-west", "docs@*",
        ])
        #expect(section.actual[2].started == LedgerStamp(seq: 7, at: Self.time(7)))
        #expect(section.actual[2].converged == LedgerStamp(seq: 11, at: Self.time(11)))
        #expect(section.actual[4].startedBy == "bob@example.com")
        #expect(section.actual[6].started == nil)
    }

    @Test func eachDeclaredEntryOpensItsOwnSection() async throws {
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: MemoryLedgerStore())
        let plan = DeclaredSequence(steps: [.init(name: "a", targets: ["t"]), .init(name: "b", targets: ["t"])],
                                    edges: [.init(from: "a", to: "b")])
        _ = try await ledger.append([
            EntryDraft(id: "g1", event: .declared, generation: 1, actor: "c", detail: plan.detail),
            EntryDraft(id: "g1/a", event: .stepStarted, generation: 1, step: "a", target: "t", actor: "c"),
            EntryDraft(id: "g1/s", event: .superseded, generation: 1, actor: "c"),
            EntryDraft(id: "g2", event: .declared, generation: 2, actor: "c", detail: plan.detail),
            EntryDraft(id: "g2/a", event: .stepStarted, generation: 2, step: "a", target: "t", actor: "c"),
            EntryDraft(id: "g2/ac", event: .stepConverged, generation: 2, step: "a", target: "t", actor: "c"),
            EntryDraft(id: "g2/b", event: .stepStarted, generation: 2, step: "b", target: "t", actor: "c"),
        ])
        let sections = try LedgerQueries(entries: try await ledger.entries()).sections()
        #expect(sections.map(\.generation) == [1, 2])
        #expect(sections[0].edges[0].verdict == .notStarted)
        #expect(sections[1].edges[0].verdict == .confirmed)
    }

    @Test func malformedDetailIsAClearError() async throws {
        let ledger = try await Ledger(evolution: Fixtures.evolution, store: MemoryLedgerStore())
        _ = try await ledger.append(EntryDraft(id: "d", event: .declared, generation: 1, actor: "c", detail: ["steps": "nope"]))
        let entries = try await ledger.entries()
        #expect(throws: LedgerQueryError.malformedEntry(seq: 1, reason: "Declared detail: steps: expected an array")) {
            _ = try LedgerQueries(entries: entries).sections()
        }
    }
}
