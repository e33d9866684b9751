import EvolutionAPI
import EvolutionEngine
import KubeJSON
import Testing

/// A plan the API server refused for the Evolution's account starts nothing;
/// the refusal is recorded and told once, and admission later resumes it.
struct RefusalTests {
    static let forbidden = RefusalRecord(
        reason: .forbidden,
        message: #"step grant on local: clusterroles.rbac.authorization.k8s.io "secret-reader" is forbidden: User "system:serviceaccount:team-a:default" cannot patch resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#,
        step: "grant", target: "local")

    @Test func aRefusedPlanStartsNothingAndSaysWhyOnce() {
        var d = Driver(EvolutionSpec(steps: sequence(["grant", "bind"])))
        d.refusal = Self.forbidden
        let first = d.tick()
        #expect(describe(first.actions) == [
            "ledger Declared",
            "ledger StepFailed grant@local",
            "ledger Halted grant@local",
            "event Warning Forbidden: refused: \(Self.forbidden.message)",
        ])
        #expect(d.status.phase == .failed)
        #expect(d.status.refusal == Self.forbidden)
        #expect(d.status.condition("Ready")?.reason == "Forbidden")
        #expect(d.status.condition("Ready")?.isTrue == false)
        #expect(d.status.condition("Stalled")?.isTrue == true)
        #expect(d.status.message == "refused: \(Self.forbidden.message)")
        #expect(d.status.step("grant")?.message == "refused: Forbidden")
        // Level-triggered: the same refusal again records and tells nothing.
        #expect(d.tick(at: at(30)).actions.isEmpty)

        // Rights granted: the next check admits the plan and the first step starts.
        d.refusal = nil
        let admitted = d.tick(at: at(60))
        #expect(describe(admitted.actions) == [
            "ledger Resumed grant@local",
            "event Normal Admitted: the plan was admitted; Forbidden no longer applies",
            "ledger StepStarted grant@local",
            "apply grant@local #1",
        ])
        #expect(d.status.refusal == nil)
        d.settle()
        #expect(d.status.phase == .converged)
    }

    @Test func aMissingAccountIsARefusalWithoutAStep() {
        var d = Driver(EvolutionSpec(steps: sequence(["a"])))
        d.refusal = RefusalRecord(reason: .serviceAccountNotFound, message: "ServiceAccount team-a/deployer not found")
        let first = d.tick()
        #expect(describe(first.actions) == [
            "ledger Declared", "ledger Halted",
            "event Warning ServiceAccountNotFound: refused: ServiceAccount team-a/deployer not found",
        ])
        #expect(d.status.condition("Ready")?.reason == "ServiceAccountNotFound")
        #expect(d.status.step("a")?.phase == .pending)
    }

    @Test func anApplyDeniedLaterHaltsWithForbiddenAsTheReason() {
        var d = Driver(EvolutionSpec(steps: sequence(["a", "b"])))
        d.applyOutcome = { _ in .failed(reason: "Forbidden", message: "configmaps \"a\" is forbidden: ...", retryable: false) }
        d.tick()
        d.tick(at: at(1))
        #expect(d.status.phase == .halted)
        #expect(d.status.halt?.reason == "Forbidden")
        #expect(d.status.condition("Ready")?.reason == "Forbidden")
        #expect(d.target("a", "local")?.reason == "Forbidden")
    }
}
