import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML
import TestSupport

/// One in-process KubeSim and an admin client for it: what every suite that talks to a
/// cluster starts from, instead of a harness of its own. `stop()` at the end of each test.
public struct SimCluster: Sendable {
    public let sim: KubeSim
    /// The cluster admin (KubeSim's `admin-token`).
    public let admin: KubeClient

    /// Retries a test's own requests briefly, so its writes survive injected faults without slowing a failing test.
    public static let briefRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50))

    /// `tls` for a cluster the controller reaches through a kubeconfig Secret (it accepts https only).
    public static func start(_ name: String, tls: Bool = false, retry: RetryPolicy = briefRetry,
                             configure: (inout KubeSimOptions) -> Void = { _ in }) async throws -> SimCluster {
        var options = KubeSimOptions(name: name)
        options.tls = tls
        configure(&options)
        let sim = try await KubeSim.start(options)
        var config = try KubeConfig.parse(sim.kubeconfig()).restConfig()
        config.retry = retry
        return SimCluster(sim: sim, admin: try KubeClient(config: config))
    }

    public func stop() async { await sim.stop() }

    /// A client of its own connection (as a second replica would have), authenticating with `token` (nil: anonymous).
    public func client(token: String? = "admin-token", retry: RetryPolicy = .none, timeout: Duration? = nil) throws -> KubeClient {
        var config = try KubeConfig.parse(sim.kubeconfig()).restConfig()
        config.credentials = token.map { .token($0) } ?? .none
        config.retry = retry
        if let timeout { config.timeout = timeout }
        return try KubeClient(config: config)
    }

    /// A kubeconfig file for this cluster in `directory`, as kubectl or the causeway binary reads it.
    @discardableResult
    public func writeKubeconfig(in directory: String, token: String = "admin-token") throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/\(sim.options.name).kubeconfig"
        try sim.writeKubeconfig(to: path, token: token)
        return path
    }

    /// A Secret holding this cluster's admin kubeconfig (key `kubeconfig`), as a target's `kubeconfigSecretRef` names it.
    public func kubeconfigSecret(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)],
         "data": ["kubeconfig": .string(Data(sim.kubeconfig().utf8).base64EncodedString())]]
    }
}

/// A home cluster (the Evolution CRD installed, its Evolutions' default account cluster-admin)
/// and a region over TLS whose kubeconfig is Secret `region` in the home's default namespace.
public struct HomeAndRegion: Sendable {
    public let home: SimCluster
    public let region: SimCluster

    public static func start(home: String = "home", region: String = "eu-west") async throws -> HomeAndRegion {
        let homeCluster = try await SimCluster.start(home)
        try await homeCluster.admin.installEvolutionCRD()
        try await homeCluster.admin.grantClusterAdmin()
        let regionCluster = try await SimCluster.start(region, tls: true)
        try await homeCluster.admin.storeKubeconfig(of: regionCluster, secret: region)
        return HomeAndRegion(home: homeCluster, region: regionCluster)
    }

    public func stop() async {
        await home.stop()
        await region.stop()
    }
}

public struct SimTestingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
