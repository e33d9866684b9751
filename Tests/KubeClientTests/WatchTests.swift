import Foundation
import Synchronization
import Testing
import KubeJSON
import LoopbackHTTP
@testable import KubeClient

struct WatchTests {
    static func event(_ type: String, _ name: String, rv: Int) -> [UInt8] {
        Array(#"{"type":"\#(type)","object":{"kind":"ConfigMap","metadata":{"name":"\#(name)","resourceVersion":"\#(rv)"}}}"#.utf8) + [10]
    }

    func client(_ server: LoopbackHTTPServer) throws -> KubeClient {
        try KubeClient(config: RESTConfig(server: server.url))
    }

    @Test func deliversEventsSplitAcrossChunks() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [("Content-Type", "application/json")]) { writer in
                let first = Self.event("ADDED", "a", rv: 11)
                writer.write(Array(first[..<20]))      // half an event...
                usleep(20_000)
                writer.write(Array(first[20...]) + Array(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"12"}}}"#.utf8))
                usleep(20_000)
                writer.write([10] + Self.event("MODIFIED", "a", rv: 13) + Self.event("DELETED", "a", rv: 14))
            }
        }
        defer { server.stop() }
        var seen: [WatchEvent] = []
        for try await event in try client(server).watch(.configMaps, namespace: "n", options: WatchOptions(resourceVersion: "10", timeoutSeconds: 30)) {
            seen.append(event)
        }
        #expect(seen.map(\.type) == [.added, .bookmark, .modified, .deleted])
        #expect(seen.map(\.resourceVersion) == ["11", "12", "13", "14"])
        let r = try #require(server.requests.first)
        #expect(r.path == "/api/v1/namespaces/n/configmaps")
        #expect(r.query == "watch=1&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=30")
    }

    @Test func expiredResourceVersionInAnErrorEventIsDistinct() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: []) { writer in
                writer.write(Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (120)","reason":"Expired","code":410}}"#.utf8) + [10])
            }
        }
        defer { server.stop() }
        let error = await #expect(throws: KubeClientError.self) {
            for try await _ in try client(server).watch(.configMaps, options: WatchOptions(resourceVersion: "5")) {}
        }
        guard case .resourceVersionTooOld(let message) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(message.contains("too old resource version"))
    }

    @Test func expiredResourceVersionAsHTTP410IsTheSameError() async throws {
        let server = try LoopbackHTTPServer { _ in
            .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (99)","reason":"Expired","code":410}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: KubeClientError.self) {
            for try await _ in try client(server).watch(.configMaps, options: WatchOptions(resourceVersion: "1")) {}
        }
        guard case .resourceVersionTooOld = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func forbiddenWatchSurfacesTheStatus() async throws {
        let server = try LoopbackHTTPServer { _ in
            .json(403, #"{"kind":"Status","status":"Failure","message":"configmaps is forbidden: User \"bob\" cannot watch resource \"configmaps\"","reason":"Forbidden","code":403}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: KubeClientError.self) {
            for try await _ in try client(server).watch(.configMaps) {}
        }
        #expect(error?.statusCode == 403)
    }

    @Test func breakingOutFreesTheTransferAtOnce() async throws {
        let closedAt = Mutex<ContinuousClock.Instant?>(nil)
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: []) { writer in
                var rv = 1
                while writer.write(Self.event("MODIFIED", "a", rv: rv)) {
                    rv += 1
                    usleep(2_000)
                }
                closedAt.withLock { $0 = .now }
            }
        }
        defer { server.stop() }
        let c = try client(server)
        var brokeAt = ContinuousClock.now
        for try await event in c.watch(.configMaps) where event.resourceVersion == "3" {
            brokeAt = .now
            break
        }
        for _ in 0..<200 where closedAt.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        let closed = try #require(closedAt.withLock { $0 })
        #expect(closed - brokeAt < .milliseconds(500))
    }

    @Test func fiftyWatchesShareOneLoopThread() async throws {
        let server = try LoopbackHTTPServer { request in
            .stream(status: 200, headers: []) { writer in
                writer.write(Self.event("ADDED", request.query, rv: 1))
            }
        }
        defer { server.stop() }
        let c = try client(server)
        let names = try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<50 {
                group.addTask {
                    for try await e in c.watch(.configMaps, options: WatchOptions(labelSelector: "n=\(i)")) {
                        return e.object[path: "metadata", "name"]?.stringValue
                    }
                    return nil
                }
            }
            var names: Set<String> = []
            for try await name in group { if let name { names.insert(name) } }
            return names
        }
        #expect(names.count == 50)
        let loopThreads = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").filter { task in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return comm.hasPrefix("kube-\(server.port)-")
        }
        #expect(loopThreads.count == 1)
    }
}

/// A consumer slower than the server must not make the client buffer the whole stream.
struct WatchBackpressureTests {
    @Test func aSlowConsumerPausesTheTransferInsteadOfBufferingEverything() async throws {
        let line = WatchTests.event("MODIFIED", String(repeating: "x", count: 1_000), rv: 1)
        let events = 40_000  // about 40 MB
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: []) { writer in
                var chunk: [UInt8] = []
                for _ in 0..<100 { chunk += line }
                for _ in 0..<(events / 100) { guard writer.write(chunk) else { return } }
            }
        }
        defer { server.stop() }
        let stream = try KubeClient(config: RESTConfig(server: server.url)).watch(.configMaps)
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        // Do not consume for a while: the server keeps writing as fast as it is allowed to.
        try await Task.sleep(for: .milliseconds(500))
        let buffered = stream.flow.bufferedBytes
        #expect(buffered <= LineFlow.highWater + 64 * 1024, "buffered \(buffered) bytes")
        var received = 1
        while try await iterator.next() != nil { received += 1 }
        #expect(received == events)
        #expect(stream.flow.bufferedBytes == 0)
    }
}
