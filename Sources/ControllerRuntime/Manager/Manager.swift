import Synchronization

/// Runs informers, controllers, the health server and optional leader election together, and stops them gracefully.
///
/// Expected flow: `run()` starts the health server, then in one task group
/// the informers and the controllers (under the `LeaderElector` when one is
/// given, so they reconcile only while leading). It returns after
/// `shutdown()` (or SIGTERM/SIGINT with `runUntilSignalled()`), or when
/// leadership is lost.
///
/// Shutdown, in order:
/// 1. /readyz turns 503 and every controller stops taking keys.
/// 2. In-flight reconciles finish, up to `shutdownGracePeriod`; past it they are cancelled.
/// 3. Event recorders flush the repeat counts they still hold.
/// 4. Leading: the elector sees its work return and releases the Lease (empty holder),
///    so a standby takes over at its next retry. Campaigning: the campaign is cancelled.
/// 5. Informers are cancelled and the health server stops; `run()` returns `.shutdown`.
///
/// Caveats: keys still queued at shutdown are dropped; the next leader's
/// informers list every object again, so none is missed (level-triggered).
/// Cancellation is cooperative: a reconcile that ignores it holds `run()` up
/// past the grace period. A manager (and its controllers) runs once.
public final class Manager: Sendable {
    /// Why `run()` returned.
    public enum Exit: Sendable, Equatable {
        /// `shutdown()` or a signal.
        case shutdown
        /// The elector lost the Lease; the process should exit so it restarts as a candidate, as client-go's do.
        case leadershipLost
    }

    public let informers: [Informer]
    public let controllers: [Controller]
    public let eventRecorders: [EventRecorder]
    public let elector: LeaderElector?
    public let healthServer: HealthServer?
    public let metrics: RuntimeMetrics?
    public let shutdownGracePeriod: Duration
    let clock: any RuntimeClock
    let readinessCheck: ReadinessCheck
    let stopping = ShutdownSignal()

    /// - Parameters:
    ///   - health: host and port for /healthz, /readyz and /metrics; nil serves none.
    ///   - standbyIsReady: with an elector, whether a replica that is not leading reports ready.
    public init(informers: [Informer], controllers: [Controller], elector: LeaderElector? = nil,
                eventRecorders: [EventRecorder] = [], metrics: RuntimeMetrics? = nil, health: (host: String, port: Int)? = ("127.0.0.1", 0),
                standbyIsReady: Bool = false, shutdownGracePeriod: Duration = .seconds(30),
                clock: any RuntimeClock = ContinuousRuntimeClock()) {
        self.informers = informers
        self.controllers = controllers
        self.eventRecorders = eventRecorders
        self.elector = elector
        self.metrics = metrics
        self.shutdownGracePeriod = shutdownGracePeriod
        self.clock = clock
        let check = ReadinessCheck(informers: informers, elector: elector, standbyIsReady: standbyIsReady)
        readinessCheck = check
        let stopping = self.stopping
        healthServer = health.map { health in
            HealthServer(host: health.host, port: health.port, metrics: metrics?.registry) {
                stopping.isTriggered ? .notReady("shutting down") : check.evaluate()
            }
        }
    }

    /// What /readyz answers now.
    public var readiness: Readiness { stopping.isTriggered ? .notReady("shutting down") : readinessCheck.evaluate() }

    /// Asks `run()` to stop gracefully; returns at once (await `run()` for the end).
    public func shutdown() { stopping.trigger() }

    /// Runs everything until `shutdown()` or lost leadership; throws only if the health server cannot bind.
    public func run() async throws -> Exit {
        if let healthServer { try await healthServer.start() }
        let exit: Exit = await withTaskGroup(of: Void.self) { background in
            for informer in informers { background.addTask { await informer.run() } }
            let exit = await runWorkUntilShutdown()
            background.cancelAll()
            return exit
        }
        await healthServer?.stop()
        return exit
    }

    private enum Ended { case workReturned, graceExpired, cancelCampaign }

    /// The controllers (under the elector, if any) raced against shutdown and its grace period.
    private func runWorkUntilShutdown() async -> Exit {
        await withTaskGroup(of: Ended.self) { group in
            group.addTask {
                if let elector = self.elector {
                    await elector.run { await self.runControllersUntilShutdown() }
                } else {
                    await self.runControllersUntilShutdown()
                }
                return .workReturned
            }
            group.addTask {
                await self.stopping.wait()
                if Task.isCancelled { return .workReturned }
                for controller in self.controllers { controller.stopTakingWork() }
                // A campaign has nothing in flight; end it now rather than wait the grace period.
                if let elector = self.elector, !elector.isLeader { return .cancelCampaign }
                try? await self.clock.sleep(until: self.clock.now + self.shutdownGracePeriod)
                return .graceExpired
            }
            let first = await group.next() ?? .workReturned
            // Past the grace period (or for a campaign), cancelling the elector cancels the controllers and
            // releases a held Lease; if the work returned first, this only ends the shutdown watcher.
            group.cancelAll()
            await group.waitForAll()
            return first == .workReturned && !stopping.isTriggered ? .leadershipLost : .shutdown
        }
    }

    /// The controllers until they have drained at shutdown; with none (or all stopped by hand), until shutdown.
    private func runControllersUntilShutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for controller in controllers { group.addTask { await controller.run() } }
        }
        await stopping.wait()
        if !Task.isCancelled { for recorder in eventRecorders { await recorder.flush() } }
    }
}
