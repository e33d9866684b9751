import KubeJSON
import Testing
@testable import ControllerRuntime

@Suite struct ObjectCacheTests {
    static func object(_ name: String, namespace: String, labels: JSON = [:], owner: String? = nil) -> JSON {
        var object: JSON = ["metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels]]
        if let owner { object["spec"] = ["owner": .string(owner)] }
        return object
    }

    @Test func indexesFollowEveryWrite() {
        let cache = ObjectCache(indexes: ["owner": { $0[path: "spec", "owner"]?.stringValue.map { [$0] } ?? [] }])
        let a = ObjectKey(namespace: "x", name: "a")
        cache.upsert(Self.object("a", namespace: "x", labels: ["app": "web"], owner: "alice"), key: a)
        cache.upsert(Self.object("b", namespace: "y", labels: ["app": "web"]), key: ObjectKey(namespace: "y", name: "b"))
        #expect(cache.get(namespace: "x", name: "a") != nil)
        #expect(cache.list(namespace: "x").count == 1)
        #expect(cache.list(label: "app", value: "web").count == 2)
        #expect(cache.byIndex("owner", "alice").count == 1)

        cache.upsert(Self.object("a", namespace: "x", labels: ["app": "db"], owner: "bob"), key: a)
        #expect(cache.list(label: "app", value: "web").count == 1)
        #expect(cache.list(label: "app", value: "db").count == 1)
        #expect(cache.byIndex("owner", "alice").isEmpty)
        #expect(cache.byIndex("owner", "bob").count == 1)

        cache.remove(a)
        #expect(cache.list(namespace: "x").isEmpty && cache.byIndex("owner", "bob").isEmpty)
        #expect(cache.storage.withLock { $0.indexes["owner"]?.isEmpty ?? true }, "empty index buckets are dropped")
        #expect(cache.byIndex("no-such-index", "v").isEmpty)
    }

    @Test func replaceSwapsContentAndIndexesTogether() {
        let cache = ObjectCache()
        cache.upsert(Self.object("old", namespace: "x"), key: ObjectKey(namespace: "x", name: "old"))
        let fresh = [ObjectKey(namespace: "y", name: "new"): Self.object("new", namespace: "y")]
        let previous = cache.replace(with: fresh)
        #expect(previous.keys.map(\.name) == ["old"])
        #expect(cache.keys == Set(fresh.keys))
        #expect(cache.list(namespace: "x").isEmpty && cache.list(namespace: "y").count == 1)
    }
}
