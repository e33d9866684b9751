import ArgumentParser
import EvolutionAPI
import Foundation
import KubeJSON
import KubeYAML

/// `plan -f FILE`: what an Evolution would do, offline: its validation errors at their paths, or
/// its steps in waves (a wave's steps may run at once; each waits for the waves before it), with
/// each step's targets and the barriers its sync makes. No cluster needed.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Validate an Evolution manifest and print its execution order, parallel groups and lockstep barriers (offline).",
        discussion: "Exits 1 when any Evolution in the file is invalid, listing every problem at its path.")

    @Option(name: [.short, .customLong("filename")], help: "The manifest (YAML or JSON, several documents allowed; - for standard input).")
    var file: String

    func run() async throws {
        let text: String
        if file == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            text = String(decoding: data, as: UTF8.self)
        }
        let documents: [JSON]
        do { documents = try YAML.parseStream(Array(text.utf8)) } catch { throw CommandFailure("\(file): \(error)") }
        let evolutions = documents.filter { $0["kind"] == "Evolution" }
        guard !evolutions.isEmpty else { throw CommandFailure("\(file) holds no Evolution (kind: Evolution)") }
        var invalid = false
        for object in evolutions {
            let name = object[path: "metadata", "name"]?.stringValue ?? "(unnamed)"
            do {
                say(Self.plan(name: name, spec: try Evolution(json: object).spec), terminator: "")
            } catch {
                invalid = true
                say("\(name): invalid")
                for issue in error.issues { say("  \(issue)") }
            }
        }
        if invalid { throw ExitCode(1) }
    }

    /// Waves of steps: a step's wave is one more than its latest predecessor's.
    static func plan(name: String, spec: EvolutionSpec) -> String {
        let graph = StepGraph(spec.steps)
        var wave = [Int](repeating: 0, count: spec.steps.count)
        for i in topologicalOrder(graph) { wave[i] = (graph.predecessors[i].map { wave[$0] + 1 }.max()) ?? 0 }
        var out = "\(name): \(spec.steps.count) steps on \(spec.targets.map(\.name).joined(separator: ", "))\(spec.paused ? " (paused)" : "")\n"
        for w in 0...(wave.max() ?? 0) {
            let members = spec.steps.indices.filter { wave[$0] == w }
            out += "  wave \(w + 1)\(members.count > 1 ? " (in parallel)" : ""):\n"
            for i in members {
                let step = spec.steps[i]
                let after = step.after.isEmpty ? "" : " after \(step.after.joined(separator: ", "))"
                let gate = step.acknowledgmentRequired ? "; waits for an acknowledgment" : ""
                let barrier = graph.successors[i].isEmpty ? ""
                    : step.sync == .lockstep ? "; lockstep barrier: successors start only once it converged on every target"
                    : "; independent: a successor starts on a target once it converged there"
                out += "    \(step.name) on \(step.targets.joined(separator: ", "))\(after)\(gate)\(barrier)\n"
            }
        }
        if !spec.onFailure.compensation.isEmpty {
            out += "  on failure: \(spec.onFailure.action.rawValue), then \(spec.onFailure.compensation.map(\.name).joined(separator: ", "))\n"
        }
        return out
    }

    /// Kahn's order; a valid spec has no cycle (validation refuses one).
    static func topologicalOrder(_ graph: StepGraph) -> [Int] {
        var remaining = graph.predecessors.map(\.count)
        var ready = remaining.indices.filter { remaining[$0] == 0 }
        var order: [Int] = []
        while let next = ready.first {
            ready.removeFirst()
            order.append(next)
            for s in graph.successors[next] {
                remaining[s] -= 1
                if remaining[s] == 0 { ready.append(s) }
            }
        }
        return order
    }
}
