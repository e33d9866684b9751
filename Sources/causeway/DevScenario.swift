import ArgumentParser
import EvolutionAPI
import Foundation
import KubeClient
import KubeJSON

/// What `causeway dev --scenario` plays over the essay's Evolution:
/// - `essay`: the incident, governed;
/// - `failure`: every Deployment rollout fails in eu-west, so the app step fails there and
///   the Evolution compensates (the feature flag forced off everywhere) instead of going on;
/// - `drift`: once the gateway policy has converged everywhere, an on-call engineer hotfixes it
///   in eu-west by hand; Causeway records the deviation, naming the field manager, and reports it.
enum DevScenario: String, ExpressibleByArgument, CaseIterable, Sendable {
    case essay
    case failure
    case drift

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
        case .essay, .failure: return true
        case .drift: return !EvolutionStatus(json: evolution["status"]).drift.deviations.isEmpty
        }
    }

    /// What the scenario adds to the summary at the end.
    func epilogue(_ evolution: JSON) -> [String] {
        let status = EvolutionStatus(json: evolution["status"])
        switch self {
        case .essay: return []
        case .failure:
            let failed = status.steps.flatMap { step in step.targets.filter { $0.phase == .failed }.map { "\(step.name) failed on \($0.name)" } }
            return failed + [(status.halt.map { "halted at \($0.step) on \($0.target) (\($0.reason)); " } ?? "")
                             + "compensation (feature flag off everywhere): " + (status.compensation?.phase.rawValue ?? "not started")]
        case .drift:
            return status.drift.deviations.map { "deviation \($0.state.rawValue): \($0.record.summary)" }
        }
    }
}
