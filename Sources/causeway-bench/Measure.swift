import Foundation

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

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
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
