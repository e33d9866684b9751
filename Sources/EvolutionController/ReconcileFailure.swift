import ControllerRuntime
import EvolutionAPI
import KubeClient
import Ledger

/// A reconcile that failed outside the engine's decision, classified once: its reason
/// (the closed set status, Events, logs and `causeway_reconcile_errors_total` use), a
/// message saying what failed, where, and what to do, and whether retrying can help.
struct ReconcileFailure: Error, CustomStringConvertible {
    enum Stage: String { case admission = "putting the plan to the API server", ledger = "recording in the ledger", status = "writing status" }

    var reason: String
    var message: String
    /// Retrying cannot help: nothing is tried again until the spec (or what the message cites) changes.
    var terminal: Bool
    /// A stale read (409): retried at once, not a failure anyone needs to see.
    var conflict = false
    /// The Evolution is gone: nothing to report.
    var gone = false

    var description: String { "\(reason): \(message)" }
    var reconcileError: ReconcileError { ReconcileError(reason: reason, message: message) }

    static func classify(_ error: any Error, at stage: Stage) -> ReconcileFailure {
        if let failure = error as? ReconcileFailure { return failure }
        switch stage {
        case .ledger:
            if case LedgerError.tampered = error {
                return ReconcileFailure(reason: "LedgerUnavailable", message: "\(error)", terminal: true)
            }
            if case LedgerError.invalidChain(let violation) = error {
                return ReconcileFailure(reason: "LedgerUnavailable", message:
                    "the ledger does not verify (\(violation)); nothing more is recorded or applied until it is restored: causeway ledger verify names the entry",
                    terminal: true)
            }
            return ReconcileFailure(reason: "LedgerUnavailable", message: "cannot write the ledger: \(error); retrying with backoff", terminal: false)
        case .status:
            guard let error = error as? KubeClientError else { break }
            switch error.statusCode {
            case 409: return ReconcileFailure(reason: "Conflict", message: "\(error)", terminal: false, conflict: true)
            case 404: return ReconcileFailure(reason: "Gone", message: "\(error)", terminal: true, gone: true)
            case 400, 413, 422:
                return ReconcileFailure(reason: "StatusRejected", message:
                    "the API server refused the status the controller wrote (\(TargetClients.text(error))); a minimal status is kept until the spec changes: check the Evolution CRD installed matches this controller (Manifests/crd/evolution.yaml)",
                    terminal: true)
            default: break
            }
        case .admission:
            if let access = error as? TargetAccessError {
                return ReconcileFailure(reason: access.reason.rawValue, message: "\(access.description); retrying with backoff", terminal: false)
            }
        }
        return ReconcileFailure(reason: "APIUnavailable", message: "\(stage.rawValue) failed: \(error); retrying with backoff", terminal: false)
    }
}

extension ReconcileFailure.Stage {
    /// Runs `body`, classifying what it throws as a failure of this stage.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw ReconcileFailure.classify(error, at: self) }
    }
}
