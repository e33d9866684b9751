/// Timing and identity for a `LeaderElector`; defaults are client-go's (15 s / 10 s / 2 s).
public struct LeaderElectionConfig: Sendable {
    public var namespace: String
    public var leaseName: String
    /// Unique per replica (pod name plus a random suffix is usual).
    public var identity: String
    /// How long a non-leader waits, from when it last saw the lease change, before taking over.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives up leadership.
    public var renewDeadline: Duration
    /// How often candidates try to acquire and the leader renews.
    public var retryPeriod: Duration
    /// Whether a graceful stop empties the holder, so another replica takes over at once.
    public var releaseOnCancel: Bool

    public init(namespace: String, leaseName: String, identity: String, leaseDuration: Duration = .seconds(15),
                renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true) {
        precondition(leaseDuration > renewDeadline && renewDeadline > retryPeriod * 1.2,
                     "leaseDuration > renewDeadline > 1.2 × retryPeriod, as client-go requires")
        precondition(leaseDuration >= .seconds(1), "leaseDurationSeconds is a positive whole number of seconds")
        self.namespace = namespace
        self.leaseName = leaseName
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    var leaseDurationSeconds: Int64 { max(1, leaseDuration.components.seconds) }
}
