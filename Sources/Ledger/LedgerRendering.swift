import KubeJSON

/// Text and JSON forms of a ledger for people and tools (the `ledger show`,
/// `ledger export`, `ledger verify` and `audit` verbs print these).
///
/// Pure functions of the entries: the same ledger renders the same bytes on any machine.
public enum LedgerRendering {
    /// One row per entry: SEQ, TIME, EVENT, STEP, TARGET, ACTOR, ID; `-` for an absent step or target.
    public static func table(_ entries: [LedgerEntry]) -> String {
        let header = ["SEQ", "TIME", "EVENT", "STEP", "TARGET", "ACTOR", "ID"]
        let rows = entries.map { e in
            [String(e.seq), e.at.rfc3339, e.event.rawValue, e.step ?? "-", e.target ?? "-", e.actor, e.id]
        }
        return columns([header] + rows)
    }

    /// The stored form: one JSON object per line, each ending in a newline (`ledger export`).
    public static func jsonLines(_ entries: [LedgerEntry]) -> String {
        var bytes: [UInt8] = []
        for entry in entries { entry.writeLine(into: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Each entry as its stored JSON object, in chain order (`-o json`, and YAML by conversion).
    public static func json(_ entries: [LedgerEntry]) -> JSON {
        .array(entries.map { entry in
            // The stored line is JSON this module wrote; parsing it back cannot fail.
            (try? JSON.parse(entry.jsonLine().dropLast())) ?? .null
        })
    }

    /// `ledger verify`: the count and head, or the first bad entry and why; then every
    /// disagreement with the ledger's anchors, one per line, named by kind.
    public static func verification(_ report: LedgerVerifier.Report, evolution: EvolutionRef,
                                    anchorProblems: [LedgerAnchors.Problem] = []) -> String {
        let others = anchorProblems.filter { if case .brokenLink = $0 { false } else { true } }
        var lines: [String]
        if let violation = report.violation {
            lines = ["\(evolution): INVALID after \(report.count) entries: broken link: \(violation)"]
        } else if !others.isEmpty {
            lines = ["\(evolution): INVALID: the chain of \(report.count) entries links, but does not match its anchors"]
        } else if let head = report.head {
            lines = ["\(evolution): valid, \(report.count) entries, head \(head.seq) \(head.hash.hex)"]
        } else {
            lines = ["\(evolution): valid, empty"]
        }
        lines += others.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }

    /// `audit`: per Declared section, declared order beside actual order, what changed
    /// (each object sent, its content hash and fields), and a yes/no per edge with the
    /// timestamps that prove it; then who initiated each transition.
    public static func audit(_ entries: [LedgerEntry]) throws(LedgerQueryError) -> String {
        let queries = LedgerQueries(entries: entries)
        let changes = try queries.changes()
        var out: [String] = []
        for section in try queries.sections() {
            out.append("Generation \(section.generation), declared at \(section.declaredAt)"
                + (section.declared.sequenceHash.map { ", plan \($0)" } ?? ""))
            out.append("  declared: " + section.declared.steps.map(\.name).joined(separator: ", "))
            out.append("  actual:")
            for activity in section.actual {
                let place = activity.target.map { "\(activity.step)@\($0)" } ?? activity.step
                let started = activity.started.map { "started \($0) by \(activity.startedBy ?? "?")" } ?? "not started"
                let converged = activity.converged.map { ", converged \($0)" } ?? ""
                out.append("    \(place): \(started)\(converged)")
            }
            let changed = changes.filter { $0.generation == section.generation && $0.stamp.seq > section.declaredAt.seq }
            if !changed.isEmpty {
                out.append("  changed:")
                for change in changed {
                    let place = change.target.map { "\(change.step ?? "-")@\($0)" } ?? (change.step ?? "-")
                    out.append("    \(place) at \(change.stamp) by \(change.actor):")
                    for object in change.objects {
                        let fields = object.fields.isEmpty ? "" : " — " + object.fields.joined(separator: ", ")
                        out.append("      \(object.reference) sha256:\(object.contentHash.prefix(12))\(fields)")
                    }
                }
            }
            out.append("  convergence before progression:")
            if section.edges.isEmpty { out.append("    (no edges)") }
            for edge in section.edges {
                out.append(contentsOf: edge.description.split(separator: "\n").map { "    " + $0 })
            }
        }
        let transitions = queries.transitions()
        if !transitions.isEmpty {
            out.append("Transitions:")
            out.append(columns([["SEQ", "TIME", "EVENT", "STEP", "TARGET", "ACTOR"]] + transitions.map { t in
                [String(t.stamp.seq), t.stamp.at.rfc3339, t.event.rawValue, t.step ?? "-", t.target ?? "-", t.actor]
            }).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 }.joined(separator: "\n"))
        }
        out.append(contentsOf: drift(entries))
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    /// Out-of-band changes and what became of them, in ledger order: who changed which owned
    /// fields of what, and each revert, adoption and contested revert.
    /// A detail this build cannot read is shown as such, not allowed to hide the rest of the audit.
    static func drift(_ entries: [LedgerEntry]) -> [String] {
        var lines: [String] = []
        for entry in entries {
            let stamp = "#\(entry.seq) \(entry.at.rfc3339)"
            switch entry.event {
            case .deviation:
                do throws(LedgerQueryError) { lines.append("  \(stamp) \(try DeviationRecord(detail: entry.detail).summary)") } catch {
                    lines.append("  \(stamp) Deviation (\(error))")
                }
            case .reverted, .adopted, .driftContested:
                let object = entry.detail["object"].flatMap(ObjectReference.init(json:))?.description ?? "?"
                let by = entry.detail["who"]?.stringValue.map { " (\($0))" } ?? ""
                lines.append("  \(stamp) \(entry.event.rawValue) \(object) on \(entry.target ?? "-")\(by)")
            default:
                break
            }
        }
        return lines.isEmpty ? [] : ["Out-of-band changes:"] + lines
    }

    /// Left-aligned columns two spaces apart, no trailing spaces, each row ending in a newline
    /// (every table the CLI prints).
    public static func columns(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            out += line + "\n"
        }
        return out
    }
}
