// swift-tools-version:6.0
// Causeway: a change-governance controller for Kubernetes.
// Module layering (dependencies point one way): C shims → KubeJSON/KubeYAML → KubeClient → executables.
import PackageDescription

let package = Package(
    name: "causeway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "causeway", targets: ["causeway"]),
        .library(name: "KubeJSON", targets: ["KubeJSON"]),
        .library(name: "KubeYAML", targets: ["KubeYAML"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 for the ledger's hash chain; BoringSSL-backed on Linux.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // KubeSim serves HTTPS like a real API server: event-driven HTTP/1.1, TLS, and a CA it mints itself.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.3.0"),
        // Structured logs from the controller, runtime and CLI (JSON lines or text), through the ecosystem's API.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),

        .target(name: "KubeJSON"),
        // RFC 3339 timestamps: calendar arithmetic, formatting and strict parsing, shared by every module that writes times.
        .target(name: "RFC3339"),
        .target(name: "KubeYAML", dependencies: ["KubeJSON", "CYAML"]),
        .target(name: "KubeClient", dependencies: ["KubeJSON", "KubeYAML", "CCurlShim"]),
        // Kubernetes object semantics as pure functions: patches, selectors, structural schemas, field ownership.
        .target(name: "KubeSemantics", dependencies: ["KubeJSON"]),
        .target(name: "KubeSim", dependencies: [
            // KubeClient: KubeSim calls admission webhooks over HTTPS as the real API server does.
            "KubeJSON", "KubeYAML", "KubeSemantics", "RFC3339", "KubeClient",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "EvolutionAPI", dependencies: ["KubeJSON", "RFC3339", "LedgerVocabulary"]),
        // The ledger's vocabulary: event kinds and detail shapes, one definition for the engine (writer) and the ledger's readers.
        .target(name: "LedgerVocabulary", dependencies: ["KubeJSON"]),
        // The admission webhook's decisions, as pure functions: stamping who acknowledged, journaling and freezing writes to governed objects.
        // It reads what Causeway owns as the drift detector does (EvolutionEngine.DriftInspection): one definition.
        .target(name: "EvolutionAdmission", dependencies: ["EvolutionAPI", "EvolutionEngine", "KubeJSON", "KubeSemantics",
                                                          .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "EvolutionEngine", dependencies: ["EvolutionAPI", "KubeJSON", "KubeSemantics", "LedgerVocabulary"]),
        .target(name: "Ledger", dependencies: ["KubeJSON", "KubeClient", "RFC3339", "LedgerVocabulary", .product(name: "Crypto", package: "swift-crypto")]),
        // Seeded randomness shared by the property tests; running commands (kubectl, causeway) as a user would.
        .target(name: "TestSupport", dependencies: ["KubeJSON"]),
        // One KubeSim test harness for every suite: clusters, kubeconfig Secrets, the causeway binary as a child, watch-driven waits.
        .target(name: "KubeSimTesting", dependencies: ["KubeSim", "KubeClient", "KubeJSON", "KubeYAML", "TestSupport"]),
        // The HTTPS server admission webhooks are served from (`causeway webhook`, and tests of KubeSim's webhook calls).
        .target(name: "WebhookServer", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // What `causeway webhook` serves (routes to the admission decisions) and the journal it writes.
        .target(name: "AdmissionService", dependencies: ["EvolutionAdmission", "EvolutionAPI", "KubeClient", "KubeJSON",
                                                        .product(name: "Logging", package: "swift-log")]),
        // A tiny loopback HTTP/1.1 server for the client's socket tests and the watch benchmark.
        .target(name: "LoopbackHTTP"),
        // The Evolution controller: the engine's decisions carried out against real API servers.
        .target(name: "EvolutionController", dependencies: [
            "ControllerRuntime", "EvolutionEngine", "EvolutionAdmission", "EvolutionAPI", "KubeClient", "KubeJSON", "KubeYAML", "KubeSemantics", "Ledger",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ControllerRuntime", dependencies: [
            "KubeClient", "KubeJSON", "KubeSemantics", "RFC3339",
            .product(name: "Logging", package: "swift-log"),
            // /healthz, /readyz and /metrics are served over plain HTTP/1.1.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        .executableTarget(name: "causeway", dependencies: [
            "KubeJSON", "KubeYAML", "KubeClient", "KubeSim", "EvolutionAPI", "EvolutionController", "ControllerRuntime", "Ledger",
            "EvolutionAdmission", "AdmissionService", "WebhookServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The ledger's crash tests SIGKILL this child while it appends.
        .executableTarget(name: "ledger-crash-child", dependencies: ["Ledger", "KubeJSON"]),
        .executableTarget(name: "causeway-bench", dependencies: ["KubeJSON", "KubeYAML", "KubeClient", "LoopbackHTTP", "Ledger", "KubeSim", "KubeSimTesting", "ControllerRuntime", "EvolutionController", "EvolutionAdmission", "AdmissionService", "WebhookServer",
                                                         .product(name: "Logging", package: "swift-log")]),

        .testTarget(name: "KubeJSONTests", dependencies: ["KubeJSON", "TestSupport"]),
        .testTarget(name: "RFC3339Tests", dependencies: ["RFC3339"]),
        .testTarget(name: "KubeYAMLTests", dependencies: ["KubeYAML", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "LoopbackHTTP"]),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "KubeClient", "TestSupport", "KubeSimTesting", "WebhookServer"]),
        .testTarget(name: "KubeSemanticsTests", dependencies: ["KubeSemantics", "KubeYAML"]),
        .testTarget(name: "EvolutionAPITests", dependencies: ["EvolutionAPI", "KubeYAML"]),
        .testTarget(name: "EvolutionAdmissionTests", dependencies: ["EvolutionAdmission", "EvolutionAPI", "KubeJSON", "KubeSemantics"]),
        .testTarget(name: "EvolutionEngineTests", dependencies: ["EvolutionEngine", "EvolutionAPI", "KubeSemantics", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "KubeJSON", "KubeClient", "KubeSim", "KubeSimTesting"]),
        .testTarget(name: "EvolutionControllerTests", dependencies: ["EvolutionController", "KubeSim", "KubeClient", "KubeJSON", "KubeYAML", "Ledger", "TestSupport", "KubeSimTesting"]),
        // Runs the built causeway executable, as a user would.
        .testTarget(name: "CausewayCLITests", dependencies: ["Ledger", "KubeJSON", "KubeClient", "KubeSim", "KubeYAML", "EvolutionAPI", "EvolutionController", "EvolutionAdmission", "TestSupport", "KubeSimTesting"]),
        .testTarget(name: "ControllerRuntimeTests", dependencies: ["ControllerRuntime", "KubeClient", "KubeSim", "KubeJSON", "KubeSimTesting"]),
    ]
)
