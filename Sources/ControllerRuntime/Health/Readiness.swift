/// Whether this replica should receive traffic, and why not when it should not.
public struct Readiness: Sendable, Equatable {
    public var isReady: Bool
    /// Empty when ready; otherwise what is missing, for the /readyz body.
    public var reason: String

    public static let ready = Readiness(isReady: true, reason: "")
    public static func notReady(_ reason: String) -> Readiness { Readiness(isReady: false, reason: reason) }
}

/// The readiness rule of a manager: every informer synced and, with leader election, leading or an allowed standby.
public struct ReadinessCheck: Sendable {
    public let informers: [Informer]
    public let elector: LeaderElector?
    /// With leader election, whether a standby (not leading) replica reports ready.
    public let standbyIsReady: Bool

    public init(informers: [Informer], elector: LeaderElector? = nil, standbyIsReady: Bool = false) {
        self.informers = informers
        self.elector = elector
        self.standbyIsReady = standbyIsReady
    }

    public func evaluate() -> Readiness {
        let unsynced = informers.filter { !$0.hasSynced }.map(\.resource.description)
        if !unsynced.isEmpty { return .notReady("informers not synced: \(unsynced.joined(separator: ", "))") }
        if let elector, !elector.isLeader, !standbyIsReady {
            return .notReady("not leader of lease \(elector.config.namespace)/\(elector.config.leaseName)")
        }
        return .ready
    }
}
