import Foundation
import KubeClient
import KubeJSON
import Testing
@testable import KubeSim
import KubeSimTesting

/// `KubeSimOptions.dataDirectory`: a restarted instance serves what the previous one stored.
@Suite(.serialized) struct PersistenceTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "kubesim-state-\(UUID().uuidString)"
    }

    @Test func aRestartedInstanceKeepsObjectsTypesAndRevisions() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await SimCluster.start { $0.dataDirectory = dir }
        _ = try await first.admin.create(.customResourceDefinitions, SimCluster.widgetCRD)
        _ = try await first.admin.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
        let widget = try await first.admin.create(SimCluster.widgets, SimCluster.widget("w1"), namespace: "team")
        let config = try await first.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                                 "metadata": ["name": "settings"], "data": ["k": "v"]], namespace: "team")
        let revision = try await first.admin.list(.configMaps, namespace: "team").resourceVersion
        await first.stop()

        let second = try await SimCluster.start { $0.dataDirectory = dir }
        let widgetAgain = try await second.admin.get(SimCluster.widgets, name: "w1", namespace: "team")
        #expect(widgetAgain == widget)  // uid, resourceVersion, managedFields, timestamps: all as they were
        #expect(try await second.admin.get(.configMaps, name: "settings", namespace: "team") == config)
        // The CRD's schema still applies: an invalid widget is refused as before the restart.
        await #expect(throws: KubeClientError.self) {
            _ = try await second.admin.create(SimCluster.widgets, SimCluster.widget("bad", size: -1), namespace: "team")
        }
        // Revisions continue from where they were; history before the restart is gone, as after a compaction.
        let next = try await second.admin.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "later"]],
                                                  namespace: "team")
        let nextRevision = Int(next[path: "metadata", "resourceVersion"]?.stringValue ?? "") ?? 0
        #expect(nextRevision > Int(revision) ?? .max)
        let error = await #expect(throws: KubeClientError.self) {
            let old = String((Int(widget[path: "metadata", "resourceVersion"]!.stringValue!) ?? 0) - 1)
            for try await _ in second.admin.watch(.configMaps, namespace: "team", options: WatchOptions(resourceVersion: old)) {}
        }
        guard case .resourceVersionTooOld = error else { Issue.record("expected 410, got \(String(describing: error))"); return }
        await second.stop()
    }

    @Test func aCorruptSnapshotRefusesToStartAndNamesTheFile() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/" + StoreSnapshot.fileName))
        let error = await #expect(throws: StoreSnapshot.LoadError.self) {
            _ = try await SimCluster.start { $0.dataDirectory = dir }
        }
        #expect(error?.description.contains(StoreSnapshot.fileName) == true)
    }
}
