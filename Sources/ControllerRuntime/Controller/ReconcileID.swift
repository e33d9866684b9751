/// Names one reconcile in every log line it causes, the runtime's and the reconciler's
/// own (controller-runtime's `reconcileID`): the lines of one pass can be told apart
/// from those of the next pass of the same key.
public enum ReconcileID {
    /// The reconcile this task runs in, if any.
    @TaskLocal public static var current: String?

    static func make() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
