import Foundation
import KubeJSON
import KubeSemantics

extension APIServer {
    func get(_ c: RequestContext) throws -> APIResponse {
        guard let name = c.info.name, let object = store.get(c.type.key, namespace: c.namespace, name: name) else {
            throw APIError.notFound(c.type, c.info.name ?? "")
        }
        return respond(c, object: object)
    }

    /// Lists honour resourceVersion semantics (KUBE-API.md §5.1): unset is a
    /// quorum read at the current revision; "0" is served from the cache and
    /// ignores limit; N with a limit or `resourceVersionMatch=Exact` is an
    /// exact read at N; continue tokens pin later pages to the first page's revision.
    func list(_ c: RequestContext) throws -> APIResponse {
        let filter = try selectorFilter(c)
        let rv = c.request.parameter("resourceVersion") ?? ""
        let match = c.request.parameter("resourceVersionMatch")
        if match != nil && rv.isEmpty {
            throw APIError.invalid(c.type, "", [.required("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")])
        }
        let limit = c.request.parameter("limit").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        var start: String?
        var listRevision = store.revision
        var source: [Store.Entry]?

        if let token = c.request.parameter("continue"), !token.isEmpty {
            guard let (tokenRV, tokenStart) = ContinueToken.decode(token) else {
                throw APIError.badRequest("invalid continue token: \(token)")
            }
            guard let snapshot = store.snapshot(c.type.key, at: tokenRV, namespace: c.namespace, from: tokenStart) else {
                throw APIError(code: 410, reason: "Expired",
                               message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
            }
            source = snapshot
            listRevision = tokenRV
            start = tokenStart
        } else if rv == "0" {
            listRevision = store.lastEventRevision[c.type.key] ?? store.revision
        } else if !rv.isEmpty {
            guard let n = Int64(rv) else {
                throw APIError.internalError("resourceVersion: Invalid value: \"\(rv)\": strconv.ParseUint: parsing \"\(rv)\": invalid syntax")
            }
            if n > store.revision {
                throw APIError(code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(n), current: \(store.revision)",
                               details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]],
                                         "retryAfterSeconds": 1],
                               headers: [("Retry-After", "1")])
            }
            if limit != nil || match == "Exact" {
                guard let snapshot = store.snapshot(c.type.key, at: n, namespace: c.namespace, from: nil) else {
                    throw APIError(code: 410, reason: "Expired", message: "The resourceVersion for the provided list is too old.")
                }
                source = snapshot
                listRevision = n
            }
        }

        // Objects are decoded only to be selected or sent: a page of 500 from 100,000 decodes 500 when nothing selects.
        let selecting = !(c.request.parameter("labelSelector") ?? "").isEmpty || !(c.request.parameter("fieldSelector") ?? "").isEmpty
        let pageSize = rv == "0" ? nil : limit
        func paginate<Entries: Collection<Store.Entry>>(_ entries: Entries) -> (page: [(key: String, object: JSON)], remaining: Int) {
            var page: [(key: String, object: JSON)] = []
            var remaining = 0
            for (i, entry) in entries.enumerated() {
                if let pageSize, page.count == pageSize, !selecting {
                    remaining = entries.count - i
                    break
                }
                let object = entry.object
                guard !selecting || filter(object) else { continue }
                if let pageSize, page.count == pageSize { remaining += 1 } else { page.append((entry.key, object)) }
            }
            return (page, remaining)
        }
        let (page, remaining) = source.map(paginate) ?? paginate(store.entries(c.type.key, namespace: c.namespace, from: start))

        var metadata: JSONObject = ["resourceVersion": .string(String(listRevision))]
        if remaining > 0 {
            metadata.set("continue", .string(ContinueToken.encode(revision: listRevision, start: page.last!.key + "\u{0}")))
            metadata.set("remainingItemCount", .int(Int64(remaining)))
        } else if c.type.isCustom {
            metadata.set("continue", "")
        }
        let list: JSON = ["kind": .string(c.type.kind + "List"), "apiVersion": .string(c.type.apiVersion),
                          "metadata": .object(metadata), "items": .array(page.map(\.object))]
        return respondList(c, list: list)
    }

    func watch(_ c: RequestContext, sink: WatchSink) throws -> APIResponse {
        let filter = try selectorFilter(c)
        let rv = c.request.parameter("resourceVersion") ?? ""
        var startRevision = store.revision
        var replay: [StoredEvent] = []
        var initial: [JSON] = []
        if rv.isEmpty || rv == "0" {
            initial = store.list(c.type.key, namespace: c.namespace).map(\.object)
        } else {
            guard let n = Int64(rv) else {
                throw APIError.internalError("resourceVersion: Invalid value: \"\(rv)\": strconv.ParseUint: parsing \"\(rv)\": invalid syntax")
            }
            startRevision = n
            if n < store.windowStart(c.type.key) {
                // A 200 with one ERROR event, then the end of the stream (KUBE-API.md §5.2).
                let tooOld = APIError(code: 410, reason: "Expired",
                                      message: "too old resource version: \(n) (\(store.windowStart(c.type.key)))")
                let event: JSON = ["type": "ERROR", "object": tooOld.status]
                _ = sink.send(event.serialized() + [10])
                sink.finish()
                return .watching
            }
            replay = store.events(c.type.key, after: n)
        }
        let table = wantsTable(c.request)
        let type = c.type
        let watcher = Watcher(type: c.type.key, namespace: c.namespace, filter: filter, sink: sink,
                              bookmarks: c.request.parameter("allowWatchBookmarks") == "true", startRevision: startRevision,
                              render: table ? { [unowned self] in self.table(type, rows: [$0], listMetadata: nil, request: c.request) } : nil)
        sink.open()
        for object in initial { watcher.sendAdded(object) }
        for event in replay { watcher.offer(event) }
        store.add(watcher)
        watcher.onClose = { [weak self, weak watcher] in
            guard let self, let watcher else { return }
            // Called with or without the lock held: defer the removal to be safe.
            DispatchQueue.global().async { self.lock.withLock { self.store.removeWatcher(watcher) } }
        }
        sink.whenClientGone { [weak self, weak watcher] in
            // On the event loop: take the server's lock elsewhere.
            guard let self, let watcher else { return }
            DispatchQueue.global().async { self.lock.withLock { watcher.close() } }
        }
        if let seconds = c.request.parameter("timeoutSeconds").flatMap(Double.init), seconds > 0 {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self, weak watcher] in
                guard let self, let watcher else { return }
                self.lock.withLock { watcher.close() }
            }
        }
        return .watching
    }

    /// Sends due bookmarks; the server calls this on a timer.
    func sendBookmarks() {
        lock.withLock {
            for (key, type) in store.types {
                guard let last = store.lastEventRevision[key] else { continue }
                for w in store.watchers(of: key) {
                    w.bookmark(currentRevision: last, apiVersion: type.apiVersion, kind: type.kind)
                }
            }
        }
    }

    /// Label and field selectors as one predicate over objects.
    func selectorFilter(_ c: RequestContext) throws -> (JSON) -> Bool {
        var label: LabelSelector?
        var field: FieldSelector?
        do {
            if let text = c.request.parameter("labelSelector"), !text.isEmpty { label = try LabelSelector(parsing: text) }
            if let text = c.request.parameter("fieldSelector"), !text.isEmpty {
                field = try FieldSelector(parsing: text, kindDescription: c.type.kind, isCustomResource: c.type.isCustom)
            }
        } catch {
            throw APIError.badRequest(error.message)
        }
        return { object in
            if let label {
                var labels: [String: String] = [:]
                for (k, v) in object[path: "metadata", "labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
                if !label.matches(labels) { return false }
            }
            if let field {
                let name = object[path: "metadata", "name"]?.stringValue ?? ""
                if !field.matches(name: name, namespace: object[path: "metadata", "namespace"]?.stringValue) { return false }
            }
            return true
        }
    }
}

/// The real server's continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}.
enum ContinueToken {
    static func encode(revision: Int64, start: String) -> String {
        let json: JSON = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start)]
        return Data(json.serialized()).base64EncodedString()
    }

    static func decode(_ token: String) -> (Int64, String)? {
        guard let data = Data(base64Encoded: token), let json = try? JSON.parse(Array(data)),
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue else { return nil }
        return (rv, start)
    }
}
