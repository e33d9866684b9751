import ControllerRuntime
import EvolutionAPI
import Foundation
import KubeClient
import KubeJSON
import Synchronization

/// Puts each generation's plan to the API server, as the Evolution's account,
/// before anything of it starts: the account must exist, kubeconfig references
/// must be allowed, and every object a step would apply at the cluster scope or
/// in another namespace is server-side applied as a dry run, so the API server
/// (RBAC, its escalation checks, admission) decides. Causeway never
/// pre-authorises with its own rights. Objects in the Evolution's own namespace
/// are left to the apply itself, which is impersonated all the same.
///
/// An admitted plan is not checked again for its generation; a refused one is
/// rechecked with backoff (10 s doubling to 5 min) and whenever the spec changes.
/// A check that could not be made (the API server unreachable) throws: the
/// reconcile retries, and nothing starts unchecked.
final class PlanAdmission: Sendable {
    struct Verdict: Sendable {
        var uid: String
        var generation: Int64
        var account: EvolutionAccount
        var refusal: RefusalRecord?
        var recheckAt: Date?
        var refusals: Int
    }

    let home: KubeClient
    let targets: TargetClients
    let now: @Sendable () -> Date
    private let verdicts = Mutex<[ControllerRuntime.ObjectKey: Verdict]>([:])

    /// Whether Causeway's admission webhook enforces `spec.drift.freeze` (the controller marks what it applies).
    let freezeEnforced: Bool

    init(home: KubeClient, targets: TargetClients, freezeEnforced: Bool = false, now: @escaping @Sendable () -> Date) {
        self.home = home
        self.targets = targets
        self.freezeEnforced = freezeEnforced
        self.now = now
    }

    /// Why the plan may not start (nil: admitted), and when to look again. Kubeconfig Secrets
    /// read since `began` (this reconcile) are not read again.
    func verdict(for key: ControllerRuntime.ObjectKey, uid: String, generation: Int64, spec: EvolutionSpec, account: EvolutionAccount,
                 namespace: String, began: ContinuousClock.Instant) async throws -> (refusal: RefusalRecord?, recheckAt: Date?) {
        let evolution = key
        // The same Evolution (a re-created one has another uid), generation and account: the same plan.
        let known = verdicts.withLock { $0[key] }.flatMap { $0.uid == uid && $0.generation == generation && $0.account == account ? $0 : nil }
        if let known, known.recheckAt.map({ $0 > now() }) ?? true {
            return (known.refusal, known.recheckAt)
        }
        let refusal = try await check(spec, account: account, namespace: namespace, evolution: evolution, began: began)
        let refusals = refusal == nil ? 0 : (known?.refusals ?? 0) + 1
        let recheckAt = refusal == nil ? nil : now().addingTimeInterval(min(10 * pow(2, Double(refusals - 1)), 300))
        verdicts.withLock {
            $0[key] = Verdict(uid: uid, generation: generation, account: account, refusal: refusal, recheckAt: recheckAt, refusals: refusals)
        }
        return (refusal, recheckAt)
    }

    /// Forgets an Evolution that is gone.
    func forget(_ key: ControllerRuntime.ObjectKey) {
        _ = verdicts.withLock { $0.removeValue(forKey: key) }
    }

    private func check(_ spec: EvolutionSpec, account: EvolutionAccount, namespace: String,
                       evolution: ControllerRuntime.ObjectKey, began: ContinuousClock.Instant) async throws -> RefusalRecord? {
        if namespace == targets.policy.controllerNamespace {
            return RefusalRecord(reason: .forbidden, message:
                "Evolutions in \(namespace), the controller's own namespace, are not run: an account there could borrow the controller's rights and its signing key; create the Evolution in a team's namespace")
        }
        if spec.drift.freeze, !freezeEnforced {
            return RefusalRecord(reason: .freezeUnavailable, message:
                "spec.drift.freeze needs Causeway's admission webhook, and this controller runs without --admission-webhook: nothing would hold the freeze; install Deploy/overlays/webhook (it sets the flag) or remove spec.drift.freeze")
        }
        if let refusal = try await accountRefusal(spec, account: account) { return refusal }
        for target in spec.targets {
            do { _ = try targets.secretLocation(of: target, account: account) } catch {
                return RefusalRecord(reason: error.reason, message: error.description, target: target.name)
            }
        }
        for step in spec.steps + spec.onFailure.compensation {
            for targetName in step.targets {
                guard let target = spec.targets.first(where: { $0.name == targetName }) else { continue }
                let connection: TargetConnection
                do { connection = try await targets.connection(for: target, account: account, evolution: evolution, readSince: began) } catch {
                    if error.transient { throw error }  // no verdict: the reconcile retries
                    return RefusalRecord(reason: error.reason, message: error.description, step: step.name, target: targetName)
                }
                for manifest in step.manifests {
                    if let refusal = await dryRun(manifest, step: step.name, target: targetName, client: connection.client, namespace: namespace) {
                        return refusal
                    }
                }
            }
        }
        return nil
    }

    /// The account must exist (impersonating a missing one is allowed, and grants nothing).
    private func accountRefusal(_ spec: EvolutionSpec, account: EvolutionAccount) async throws -> RefusalRecord? {
        let failure: KubeClientError
        do {
            _ = try await home.get(.serviceAccounts, name: account.name, namespace: account.namespace)
            return nil
        } catch {
            failure = error
        }
        if failure.isNotFound {
            let which = spec.serviceAccountName == nil
                ? "the controller's --default-service-account, used when spec.serviceAccountName is not set" : "spec.serviceAccountName"
            return RefusalRecord(reason: .serviceAccountNotFound, message:
                "ServiceAccount \(account.namespace)/\(account.name) (\(which)) does not exist: create it (kubectl create serviceaccount \(account.name) -n \(account.namespace)) and grant it what the steps apply, or name another account in spec.serviceAccountName")
        }
        if failure.statusCode == 403 {
            return RefusalRecord(reason: .forbidden, message:
                "cannot check that ServiceAccount \(account.namespace)/\(account.name) exists: \(TargetClients.text(failure)); the controller needs get on serviceaccounts")
        }
        throw failure
    }

    /// A dry-run apply of one object reaching beyond the Evolution's namespace; only a 403
    /// refuses. An unknown kind (its CRD comes with an earlier step), a missing namespace or
    /// an invalid object is for the apply to report.
    private func dryRun(_ manifest: JSON, step: String, target: String, client: KubeClient, namespace: String) async -> RefusalRecord? {
        guard let resource = try? await client.resource(for: manifest) else { return nil }
        let object = StepApply.placed(manifest, resource: resource, evolutionNamespace: namespace)
        if resource.namespaced, object[path: "metadata", "namespace"]?.stringValue == namespace { return nil }
        do {
            _ = try await StepApply.apply(object, resource: resource, with: client, dryRun: true)
        } catch where error.statusCode == 403 {
            let name = EvolutionAPI.ObjectKey(manifest: manifest)?.description ?? resource.description
            return RefusalRecord(reason: .forbidden, message: "step \(step) on \(target) may not apply \(name): \(TargetClients.text(error))",
                                 step: step, target: target)
        } catch {
            return nil
        }
        return nil
    }
}
