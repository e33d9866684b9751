import ControllerRuntime
import Foundation
import KubeJSON

/// Runs `body` repeatedly for at least `minimum` and returns operations per second
/// (best of `rounds`, so a stray scheduling hiccup does not decide the figure).
func throughput(rounds: Int = 3, minimum: Duration = .milliseconds(400), _ body: () throws -> Void) rethrows -> Double {
    var best = 0.0
    for _ in 0..<rounds {
        var count = 0
        let start = ContinuousClock.now
        var elapsed = Duration.zero
        repeat {
            try body()
            count += 1
            elapsed = ContinuousClock.now - start
        } while elapsed < minimum
        best = max(best, Double(count) / elapsed.seconds)
    }
    return best
}


struct Row: Sendable {
    var benchmark: String
    var subject: String
    var value: Double
    var unit: String
    var target: String
}

func printTable(_ rows: [Row]) {
    let header = ["benchmark", "subject", "value", "unit", "target"]
    let cells = rows.map { [$0.benchmark, $0.subject, String(format: "%.1f", $0.value), $0.unit, $0.target] }
    let widths = header.indices.map { i in max(header[i].count, cells.map { $0[i].count }.max() ?? 0) }
    func line(_ c: [String]) -> String {
        c.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for c in cells { print(line(c)) }
}

/// The table, then the same rows as one JSON line (what a section's child process hands back).
func printRows(_ rows: [Row]) {
    printTable(rows)
    let json: JSON = .array(rows.map { ["benchmark": .string($0.benchmark), "subject": .string($0.subject),
                                        "value": .double(($0.value * 10).rounded() / 10), "unit": .string($0.unit),
                                        "target": .string($0.target)] })
    print("\nJSON: " + json.serializedString())
}

/// Runs `causeway-bench SECTION` as a child and reads its rows back from its JSON line.
func runSectionInChildProcess(_ section: String) throws -> [Row] {
    let output = NSTemporaryDirectory() + "causeway-bench-\(section)-\(UUID().uuidString).txt"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: output) }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = [section]
    child.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    try child.run()
    child.waitUntilExit()
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    guard child.terminationStatus == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("JSON: ") }),
          let parsed = try? JSON.parse(Array(line.dropFirst(6).utf8)).arrayValue else {
        throw BenchError("section \(section) failed (exit \(child.terminationStatus))")
    }
    return parsed.map { r in
        Row(benchmark: r["benchmark"]?.stringValue ?? "", subject: r["subject"]?.stringValue ?? "", value: r["value"]?.doubleValue ?? .nan,
            unit: r["unit"]?.stringValue ?? "", target: r["target"]?.stringValue ?? "")
    }
}
