import Foundation
import Testing
import KubeClient
import KubeJSON
@testable import KubeSim
import KubeSimTesting

/// List and watch semantics (KUBE-API.md §5).
@Suite struct ListWatchTests {
    func makeConfigMaps(_ h: SimCluster, _ names: [String], labels: (String) -> JSON = { _ in [:] }) async throws {
        for n in names {
            _ = try await h.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(n), "labels": labels(n)]], namespace: "default")
        }
    }

    @Test func pagesArePinnedToTheFirstPagesRevision() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await makeConfigMaps(h, ["cm1", "cm2", "cm3", "cm4", "cm5"])
        let first = try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(limit: 2))
        #expect(first.items.compactMap { $0[path: "metadata", "name"]?.stringValue } == ["cm1", "cm2"])
        let token = try #require(first.continueToken)
        // A change after the first page must not show in later pages.
        try await h.admin.delete(.configMaps, name: "cm4", namespace: "default")
        var options = ListOptions(limit: 2)
        options.continueToken = token
        let second = try await h.admin.list(.configMaps, namespace: "default", options: options)
        #expect(second.items.compactMap { $0[path: "metadata", "name"]?.stringValue } == ["cm3", "cm4"])
        #expect(second.resourceVersion == first.resourceVersion)
        let cache = try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(limit: 1, resourceVersion: "0"))
        #expect(cache.items.count == 4)  // resourceVersion=0 ignores limit
        #expect(cache.continueToken == nil)
    }

    @Test func selectorsFilterAndBadOnesAre400() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        try await makeConfigMaps(h, ["a", "b", "c"]) { ["tier": .string($0 == "a" ? "web" : "db"), "n": .string($0 == "c" ? "5" : "1")] }
        let web = try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "tier in (web)"))
        #expect(web.items.count == 1)
        let big = try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "tier!=web,n>3"))
        #expect(big.items.compactMap { $0[path: "metadata", "name"]?.stringValue } == ["c"])
        let named = try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=b"))
        #expect(named.items.count == 1)
        let bad = await #expect(throws: KubeClientError.self) {
            try await h.admin.list(.configMaps, namespace: "default", options: ListOptions(fieldSelector: "data.k=v"))
        }
        #expect(bad?.statusCode == 400)
    }

    @Test func watchReplaysFromARevisionAndReportsSelectorTransitions() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let start = try await h.admin.list(.configMaps, namespace: "default")
        try await makeConfigMaps(h, ["w"]) { _ in ["app": "x"] }
        _ = try await h.admin.patch(.configMaps, name: "w", namespace: "default", .merge(["metadata": ["labels": ["app": "y"]]]))
        _ = try await h.admin.patch(.configMaps, name: "w", namespace: "default", .merge(["metadata": ["labels": ["app": "x"]]]))
        try await h.admin.delete(.configMaps, name: "w", namespace: "default")
        var seen: [String] = []
        let stream = h.admin.watch(.configMaps, namespace: "default",
                                    options: WatchOptions(labelSelector: "app=x", resourceVersion: start.resourceVersion, timeoutSeconds: 1))
        for try await event in stream { seen.append(event.type.rawValue) }
        #expect(seen == ["ADDED", "DELETED", "ADDED", "DELETED"])
    }

    @Test func watchFromBeforeTheWindowIsTooOld() async throws {
        let h = try await SimCluster.start { $0.historyWindow = 3 }
        defer { Task { await h.stop() } }
        let start = try await h.admin.list(.configMaps, namespace: "default")
        try await makeConfigMaps(h, ["a", "b", "c", "d", "e"])
        let error = await #expect(throws: KubeClientError.self) {
            for try await _ in h.admin.watch(.configMaps, namespace: "default", options: WatchOptions(resourceVersion: start.resourceVersion)) {}
        }
        guard case .resourceVersionTooOld = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func liveWatchSeesWritesAndEndsAtItsTimeout() async throws {
        let h = try await SimCluster.start()
        defer { Task { await h.stop() } }
        let begun = ContinuousClock.now
        let client = h.admin
        let writer = Task {
            try await Task.sleep(for: .milliseconds(100))
            _ = try await client.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "live"]], namespace: "default")
        }
        var names: [String] = []
        let list = try await h.admin.list(.configMaps, namespace: "default")
        for try await event in h.admin.watch(.configMaps, namespace: "default", options: WatchOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 1)) {
            names.append(event.object[path: "metadata", "name"]?.stringValue ?? "")
        }
        try await writer.value
        #expect(names == ["live"])
        #expect(ContinuousClock.now - begun >= .milliseconds(900))
    }

    @Test func bookmarksCarryTheRevisionAfterChanges() async throws {
        let h = try await SimCluster.start { $0.bookmarkInterval = .milliseconds(200) }
        defer { Task { await h.stop() } }
        let list = try await h.admin.list(.configMaps, namespace: "default")
        try await makeConfigMaps(h, ["hidden"]) { _ in ["app": "other"] }
        var bookmark: WatchEvent?
        for try await event in h.admin.watch(.configMaps, namespace: "default",
                                              options: WatchOptions(labelSelector: "app=mine", resourceVersion: list.resourceVersion, timeoutSeconds: 1)) {
            if event.type == .bookmark { bookmark = event; break }
        }
        let rv = Int(try #require(bookmark?.resourceVersion)) ?? 0
        #expect(rv > Int(list.resourceVersion)!)
    }
}
