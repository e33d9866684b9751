import EvolutionAPI
import EvolutionController
import Foundation
import KubeClient
import KubeJSON
import KubeSim
import KubeYAML
import Ledger

/// The embedded world of `causeway dev`: a home cluster (the Evolution, the
/// regions' kubeconfig Secrets, the controller's reads and writes) and one
/// KubeSim per region with the essay's CRDs, namespaces and absorption delay.
/// The controller runs as its own ServiceAccount with exactly the rights
/// Deploy/base/rbac.yaml gives it, as it would in a real cluster.
///
/// Every cluster keeps its state under `directory/state`, so `--resume` carries
/// on where the last run stopped; setup then finds what it would create, and
/// only the regions' kubeconfig Secrets are rewritten (new ports, new CAs).
struct DevEnvironment {
    static let evolutions = APIResource.evolutions

    /// The home cluster as its admin.
    var home: KubeClient
    /// The home cluster as the controller's ServiceAccount (causeway-system/causeway-controller).
    var controller: KubeClient
    var sims: [KubeSim]

    static func start(directory: String, regions: [(name: String, absorbs: Duration)], failingRollouts: Set<String> = [],
                      extraNamespaces: [String] = [], resume: Bool) async throws -> DevEnvironment {
        let state = directory + "/state"
        if !resume { try? FileManager.default.removeItem(atPath: state) }
        var sims: [KubeSim] = []
        var homeOptions = KubeSimOptions(name: "home")
        homeOptions.dataDirectory = state + "/home"
        let homeSim = try await KubeSim.start(homeOptions)
        sims.append(homeSim)
        try homeSim.writeKubeconfig(to: "\(directory)/home.kubeconfig")
        let home = try KubeClient(config: try KubeConfig.parse(homeSim.kubeconfig()).restConfig())
        try await createIfMissing(home, .customResourceDefinitions, try crd(at: "Manifests/crd/evolution.yaml"))
        try await createIfMissing(home, .namespaces, namespace("platform"))
        let controller = try await installController(home)
        say("home      \(homeSim.url)  kubeconfig \(directory)/home.kubeconfig (Evolutions, region Secrets)")

        for region in regions {
            var options = KubeSimOptions(name: region.name)
            options.dataDirectory = state + "/" + region.name
            options.simulation.rolloutDuration = .milliseconds(500)
            options.simulation.failRollouts = failingRollouts.contains(region.name)
            // Each region absorbs identity roles and gateway policies after its own delay; eu-west is slow.
            options.simulation.propagation = [
                PropagationRule(group: "iam.example.com", kind: "RoleSet", delay: region.absorbs),
                PropagationRule(group: "gw.example", kind: "Policy", delay: region.absorbs),
            ]
            let sim = try await KubeSim.start(options)
            sims.append(sim)
            let path = "\(directory)/\(region.name).kubeconfig"
            try sim.writeKubeconfig(to: path)
            let client = try KubeClient(config: try KubeConfig.parse(sim.kubeconfig()).restConfig())
            for ns in ["identity", "shop", "gateway"] + extraNamespaces { try await createIfMissing(client, .namespaces, namespace(ns)) }
            try await createIfMissing(client, .customResourceDefinitions, exampleCRD(group: "iam.example.com", kind: "RoleSet", plural: "rolesets"))
            try await createIfMissing(client, .customResourceDefinitions, exampleCRD(group: "gw.example", kind: "Policy", plural: "policies"))
            let kubeconfig: JSON = ["kubeconfig": .string(Data(sim.kubeconfig().utf8).base64EncodedString())]
            let secret: JSON = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string("region-\(region.name)")], "data": kubeconfig]
            if try await createIfMissing(home, .secrets, secret, namespace: "platform") == false {
                _ = try await home.patch(.secrets, name: "region-\(region.name)", namespace: "platform", .merge(["data": kubeconfig]))
            }
            say("region    \(region.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(sim.url)  absorbs policies in \(region.absorbs)  kubeconfig \(path)"
                + (options.simulation.failRollouts ? "  (every Deployment rollout fails here)" : ""))
        }
        return DevEnvironment(home: home, controller: controller, sims: sims)
    }

    /// The controller's namespace, ServiceAccount and RBAC from Deploy/base, and a client
    /// holding a fresh token for that account (tokens do not survive a restart of KubeSim).
    static func installController(_ home: KubeClient) async throws -> KubeClient {
        let namespace = "causeway-system"
        try await createIfMissing(home, .namespaces, Self.namespace(namespace))
        try await apply(try manifests(at: "Deploy/base/rbac.yaml"), to: home, namespace: namespace)
        let request: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 86_400]]
        let response = try await home.send("POST", "/api/v1/namespaces/\(namespace)/serviceaccounts/causeway-controller/token",
                                           body: request.serialized())
        guard let token = try JSON.parse(response.body)[path: "status", "token"]?.stringValue else {
            throw CommandFailure("the home cluster issued no token for \(namespace)/causeway-controller")
        }
        var config = home.config
        config.credentials = .token(token)
        return try KubeClient(config: config)
    }

    /// Creates each object that is missing; namespaced ones without a namespace go into `namespace`.
    static func apply(_ objects: [JSON], to client: KubeClient, namespace: String) async throws {
        for object in objects {
            let resource = try await client.resource(for: object)
            let target = resource.namespaced ? (object[path: "metadata", "namespace"]?.stringValue ?? namespace) : nil
            try await createIfMissing(client, resource, object, namespace: target)
        }
    }

    func stop() async {
        for sim in sims { await sim.stop() }
    }

    /// Creates `object` unless it exists (a resumed run); false when it did.
    @discardableResult
    static func createIfMissing(_ client: KubeClient, _ resource: APIResource, _ object: JSON, namespace: String? = nil) async throws -> Bool {
        do {
            _ = try await client.create(resource, object, namespace: namespace)
            return true
        } catch where error.isAlreadyExists {
            return false
        }
    }

    static func namespace(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    static func crd(at path: String) throws -> JSON {
        guard let crd = try manifests(at: path).first else { throw CommandFailure("\(path) holds no object") }
        return crd
    }

    /// Every object of a YAML file of the repository.
    static func manifests(at path: String) throws -> [JSON] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read \(path); run from the repository root")
        }
        return try YAML.parseStream(Array(data))
    }

    /// A permissive CRD with a status subresource, standing in for a vendor's (identity roles, gateway policies).
    static func exampleCRD(group: String, kind: String, plural: String) -> JSON {
        ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": ["name": .string("\(plural).\(group)")],
         "spec": ["group": .string(group), "scope": "Namespaced",
                  "names": ["plural": .string(plural), "singular": .string(kind.lowercased()), "kind": .string(kind)],
                  "versions": [["name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                                "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]]]
    }
}

/// Prints ledger entries as they land, and the audit at the end.
enum TransitionPrinter {
    /// Prints lines of the ledger file after the first `count`; returns the new count.
    static func printNew(from path: String, after count: Int) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return count }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        for line in lines.dropFirst(count) {
            guard let entry = try? JSON.parse(Array(line)) else { continue }
            let at = entry["at"]?.stringValue.map { String($0.dropFirst(11)) } ?? ""
            let event = entry["event"]?.stringValue ?? "?"
            let step = entry["step"]?.stringValue ?? ""
            let target = entry["target"]?.stringValue.map { " @ \($0)" } ?? ""
            let actor = entry["actor"]?.stringValue ?? ""
            say("  \(at)  \(event.padding(toLength: 18, withPad: " ", startingAt: 0)) \(step)\(target)   by \(actor)")
        }
        return lines.count
    }

    /// The verdict (the chain against the signed anchor in status) and the audit, as
    /// `causeway ledger verify` and `causeway audit` print them.
    static func printAudit(directory: String, evolution: EvolutionRef, home: KubeClient) async throws {
        let entries = try FileLedgerStore.read(directory: directory, evolution: evolution).entries
        let status = try await home.get(.evolutions, name: evolution.name, namespace: evolution.namespace)["status"]
        let keyring = try await LedgerSigningKeys.keyring(client: home, namespace: "causeway-system")
        let problems = LedgerAnchors.check(entries, evolution: evolution, anchor: EvolutionStatus(json: status).ledger?.checkpoint,
                                           stored: .notKept, keyring: keyring)
        say("\n" + LedgerRendering.verification(LedgerVerifier.verify(entries, evolution: evolution), evolution: evolution, anchorProblems: problems))
        if problems.isEmpty, let anchor = EvolutionStatus(json: status).ledger {
            say("anchored in status.ledger: \(anchor.entries) entries, head \(anchor.headHash.prefix(12)), signed by key \(anchor.keyID ?? "?")")
        }
        say(try LedgerRendering.audit(entries))
        say("(again any time: causeway audit --dir \(directory) \(evolution.name) -n \(evolution.namespace) --kubeconfig \(directory)/../home.kubeconfig)")
    }
}
