/// A failed reconcile with a reason from the reconciler's closed set (`LedgerUnavailable`,
/// `StatusRejected`...), which logs and the `causeway_reconcile_errors_total` metric carry.
/// Other errors count under the reason `Error`.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }

    static func reason(of error: any Error) -> String { (error as? ReconcileError)?.reason ?? "Error" }
}

/// What a reconcile asks the controller to do next. Interpreted only by `Controller`.
public enum ReconcileOutcome: Sendable {
    /// Converged: forget the key's failures; nothing more until the next event.
    case done
    /// Converged for now, but look again after this delay (e.g. to poll an external system).
    case requeue(after: Duration)
    /// A transient failure: retry with the key's exponential backoff.
    case retry(any Error)
    /// A failure that retrying cannot fix (invalid spec): no retry until the object changes.
    case terminal(any Error)
}

/// Drives one kind of object towards its desired state.
///
/// Receives only a key and must re-read current state (level-triggered): the
/// key may stand for many coalesced events, or for an object that is gone.
public protocol Reconciler: Sendable {
    func reconcile(_ key: ObjectKey) async -> ReconcileOutcome
}

/// A reconciler made from a closure, for small controllers and tests.
public struct ReconcilerFunction: Reconciler {
    let body: @Sendable (ObjectKey) async -> ReconcileOutcome

    public init(_ body: @escaping @Sendable (ObjectKey) async -> ReconcileOutcome) { self.body = body }

    public func reconcile(_ key: ObjectKey) async -> ReconcileOutcome { await body(key) }
}
