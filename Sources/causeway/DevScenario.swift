import ArgumentParser
import EvolutionAPI
import Foundation
import KubeClient
import KubeJSON
import Ledger

/// What `causeway dev --scenario` plays over the essay's Evolution:
/// - `essay`: the incident, governed;
/// - `failure`: every Deployment rollout fails in eu-west, so the app step fails there and
///   the Evolution compensates (the feature flag forced off everywhere) instead of going on;
/// - `drift`: once the gateway policy has converged everywhere, an on-call engineer hotfixes it
///   in eu-west by hand; Causeway records the deviation, naming the field manager, and reports it;
/// - `lockstep-vs-independent`: beside the essay, a copy whose gateway policy goes `Independent`
///   (its objects in namespaces suffixed `-independent`), both at once on the same regions; at the
///   end, when each region got the feature flag against when eu-west absorbed the gateway policy.
enum DevScenario: String, ExpressibleByArgument, CaseIterable, Sendable {
    case essay
    case failure
    case drift
    case lockstepVsIndependent = "lockstep-vs-independent"

    static let independentSuffix = "-independent"

    /// Namespaces the regions need besides the essay's.
    var extraNamespaces: [String] {
        self == .lockstepVsIndependent ? ["identity", "shop", "gateway"].map { $0 + Self.independentSuffix } : []
    }

    /// The Evolution run beside the essay's, if the scenario has one: the essay with its gateway
    /// policy `Independent`, named and placed apart so the two never touch the same objects.
    func companion(of evolution: JSON) -> JSON? {
        guard self == .lockstepVsIndependent else { return nil }
        func moved(_ node: JSON) -> JSON {
            switch node {
            case .object(let members):
                var out = JSONObject()
                for (key, value) in members {
                    if key == "namespace", let ns = value.stringValue, ["identity", "shop", "gateway"].contains(ns) {
                        out[key] = .string(ns + Self.independentSuffix)
                    } else {
                        out[key] = moved(value)
                    }
                }
                return .object(out)
            case .array(let items): return .array(items.map(moved))
            default: return node
            }
        }
        var copy = evolution
        copy["metadata"]?["name"] = .string((evolution[path: "metadata", "name"]?.stringValue ?? "") + Self.independentSuffix)
        copy["spec"] = moved(evolution["spec"] ?? [:])
        let steps = (copy[path: "spec", "steps"]?.arrayValue ?? []).map { step -> JSON in
            guard step["name"] == "gateway-policy" else { return step }
            var independent = step
            independent["sync"] = "Independent"
            return independent
        }
        copy["spec"]?["steps"] = .array(steps)
        return copy
    }

    /// For each run: when each region got the feature flag, against when eu-west (the slowest)
    /// absorbed the gateway policy, from the ledgers.
    static func flagTimeline(_ entries: [LedgerEntry], label: String) -> String {
        let absorbed = entries.first { $0.event == .stepConverged && $0.step == "gateway-policy" && $0.target == failingRegion }?.at
        var line = "\(label): "
        guard let absorbed else { return line + "eu-west never absorbed the gateway policy" }
        let flags = entries.filter { $0.event == .stepStarted && $0.step == "feature-flag" }.compactMap { entry in
            entry.target.map { ($0, Double(entry.at.millisecondsSinceEpoch - absorbed.millisecondsSinceEpoch) / 1000) }
        }
        line += flags.sorted { $0.0 < $1.0 }.map { region, seconds in
            "\(region) \(seconds < 0 ? String(format: "%.1f s before", -seconds) : String(format: "%.1f s after", seconds))"
        }.joined(separator: ", ")
        return line + " eu-west absorbed the gateway policy"
    }

    /// The region whose rollouts fail.
    static let failingRegion = "eu-west"
    /// The hotfix's field manager, as the deviation names it.
    static let hotfixManager = "oncall-hotfix"

    var failingRollouts: Set<String> { self == .failure ? [Self.failingRegion] : [] }

    /// Plays the scenario's part against what the Evolution shows now; returns a line to tell, once.
    func act(on evolution: JSON, environment: DevEnvironment, acted: inout Bool) async throws -> String? {
        guard self == .drift, !acted,
              EvolutionStatus(json: evolution["status"]).steps.first(where: { $0.name == "gateway-policy" })?.phase == .converged,
              let region = environment.sims.first(where: { $0.options.name == Self.failingRegion }) else { return nil }
        acted = true
        let client = try KubeClient(config: try KubeConfig.parse(region.kubeconfig()).restConfig())
        let policy = APIResource(group: "gw.example", version: "v1", name: "policies", kind: "Policy", namespaced: true)
        _ = try await client.patch(policy, name: "roles", namespace: "gateway",
                                   .merge(["spec": ["rules": [["path": "/invoices", "allowRoles": ["auditor", "clerk", "support"]],
                                                              ["path": "/orders", "allowRoles": ["clerk"]]]]]),
                                   options: WriteOptions(fieldManager: Self.hotfixManager))
        return "\(Self.hotfixManager) patched the gateway Policy in \(Self.failingRegion) by hand (support may read invoices)"
    }

    /// Whether the run has shown what the scenario is about, so `--once` may stop.
    func shown(_ evolution: JSON) -> Bool {
        switch self {
        case .essay, .failure, .lockstepVsIndependent: return true
        case .drift: return !EvolutionStatus(json: evolution["status"]).drift.deviations.isEmpty
        }
    }

    /// What the scenario adds to the summary at the end.
    func epilogue(_ evolution: JSON) -> [String] {
        let status = EvolutionStatus(json: evolution["status"])
        switch self {
        case .essay, .lockstepVsIndependent: return []
        case .failure:
            let failed = status.steps.flatMap { step in step.targets.filter { $0.phase == .failed }.map { "\(step.name) failed on \($0.name)" } }
            return failed + [(status.halt.map { "halted at \($0.step) on \($0.target) (\($0.reason)); " } ?? "")
                             + "compensation (feature flag off everywhere): " + (status.compensation?.phase.rawValue ?? "not started")]
        case .drift:
            return status.drift.deviations.map { "deviation \($0.state.rawValue): \($0.record.summary)" }
        }
    }
}
