import Foundation
import KubeJSON

extension APIServer {
    /// kubectl asks for `as=Table` so the server picks the columns (KUBE-API.md §1.4).
    func wantsTable(_ request: APIRequest) -> Bool {
        request.header("Accept")?.contains("as=Table") == true
    }

    func respond(_ c: RequestContext, object: JSON, status: Int = 200, encoded: [UInt8]? = nil) -> APIResponse {
        if wantsTable(c.request) {
            return .object(status: status, body: table(c.type, rows: [object], listMetadata: nil, request: c.request))
        }
        return .object(status: status, body: object, encoded: encoded)
    }

    func respondList(_ c: RequestContext, list: JSON) -> APIResponse {
        if wantsTable(c.request) {
            return .object(status: 200, body: table(c.type, rows: list["items"]?.arrayValue ?? [], listMetadata: list["metadata"], request: c.request))
        }
        return .object(status: 200, body: list)
    }

    func table(_ type: ResourceType, rows objects: [JSON], listMetadata: JSON?, request: APIRequest) -> JSON {
        var columns: [JSON] = [["name": "Name", "type": "string", "format": "name",
                                "description": "Name must be unique within a namespace.", "priority": 0]]
        var cells: [(JSON) -> JSON] = [{ $0[path: "metadata", "name"] ?? .null }]
        if type.group.isEmpty && type.kind == "Event" {
            (columns, cells) = coreEventColumns()
        } else if !type.printerColumns.isEmpty {
            for column in type.printerColumns {
                columns.append(["name": .string(column.name), "type": .string(column.type), "format": "",
                                "description": .string(column.description ?? "Custom resource definition column (in JSONPath format): \(column.jsonPath)"),
                                "priority": .int(column.priority)])
                cells.append { [self] object in
                    let value = SimpleJSONPath.evaluate(column.jsonPath, in: object) ?? .null
                    return column.type == "date" ? value.stringValue.map { .string(age(since: $0)) } ?? .null : value
                }
            }
        } else {
            if type.kind == "ConfigMap" {
                columns.append(["name": "Data", "type": "integer", "format": "", "description": "", "priority": 0])
                cells.append { .int(Int64(($0["data"]?.objectValue?.count ?? 0) + ($0["binaryData"]?.objectValue?.count ?? 0))) }
            }
            columns.append(["name": "Age", "type": "date", "format": "", "description": "", "priority": 0])
            cells.append { [self] in $0[path: "metadata", "creationTimestamp"]?.stringValue.map { .string(age(since: $0)) } ?? .null }
        }
        let include = request.parameter("includeObject") ?? "Metadata"
        let rows: [JSON] = objects.map { object in
            let embedded: JSON
            switch include {
            case "None": embedded = .null
            case "Object": embedded = object
            default:
                embedded = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
            }
            return ["cells": .array(cells.map { $0(object) }), "object": embedded]
        }
        let metadata = listMetadata ?? ["resourceVersion": objects.first?[path: "metadata", "resourceVersion"] ?? ""]
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": .array(columns), "rows": .array(rows)]
    }

    /// The real server's columns for core Events (`kubectl get events`): what
    /// happened to which object, and when, rather than Name and Age.
    private func coreEventColumns() -> ([JSON], [(JSON) -> JSON]) {
        func column(_ name: String, priority: Int64 = 0) -> JSON {
            ["name": .string(name), "type": "string", "format": name == "Name" ? "name" : "", "description": "", "priority": .int(priority)]
        }
        let lastSeen: (JSON) -> JSON = { [self] event in
            let when = event[path: "series", "lastObservedTime"]?.stringValue ?? event["lastTimestamp"]?.stringValue
                ?? event["eventTime"]?.stringValue ?? event[path: "metadata", "creationTimestamp"]?.stringValue
            return when.map { .string(age(since: $0)) } ?? "<unknown>"
        }
        let firstSeen: (JSON) -> JSON = { [self] event in
            (event["firstTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue).map { .string(age(since: $0)) } ?? "<unknown>"
        }
        let object: (JSON) -> JSON = { event in
            .string("\((event[path: "involvedObject", "kind"]?.stringValue ?? "").lowercased())/\(event[path: "involvedObject", "name"]?.stringValue ?? "")")
        }
        let source: (JSON) -> JSON = { event in
            let component = event[path: "source", "component"]?.stringValue ?? event["reportingComponent"]?.stringValue ?? ""
            let host = event[path: "source", "host"]?.stringValue ?? ""
            return .string(host.isEmpty ? component : "\(component), \(host)")
        }
        let columns: [(JSON, (JSON) -> JSON)] = [
            (column("Last Seen"), lastSeen),
            (column("Type"), { $0["type"] ?? "" }),
            (column("Reason"), { $0["reason"] ?? "" }),
            (column("Object"), object),
            (column("Subobject", priority: 1), { $0[path: "involvedObject", "fieldPath"] ?? "" }),
            (column("Source", priority: 1), source),
            (column("Message"), { $0["message"] ?? "" }),
            (column("First Seen", priority: 1), firstSeen),
            (column("Count", priority: 1), { .string(String($0["count"]?.intValue ?? $0[path: "series", "count"]?.intValue ?? 1)) }),
            (column("Name", priority: 1), { $0[path: "metadata", "name"] ?? "" }),
        ]
        return (columns.map(\.0), columns.map(\.1))
    }

    /// kubectl's short ages: 45s, 5m59s, 3h, 2d.
    func age(since timestamp: String) -> String {
        guard let date = Timestamps.parse(timestamp) else { return "<unknown>" }
        let s = max(Int(clock().timeIntervalSince(date)), 0)
        if s < 120 { return "\(s)s" }
        if s < 600 { return "\(s / 60)m\(s % 60 == 0 ? "" : "\(s % 60)s")" }
        if s < 3 * 3600 { return "\(s / 60)m" }
        if s < 48 * 3600 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}

/// The JSONPath subset printer columns use: `.status.phase`, `.spec.items[0].name`,
/// `.status.conditions[?(@.type=="Ready")].status`.
enum SimpleJSONPath {
    static func evaluate(_ path: String, in object: JSON) -> JSON? {
        var current: JSON? = object
        var rest = Substring(path.hasPrefix("{") ? String(path.dropFirst().dropLast()) : path)
        while !rest.isEmpty, let value = current {
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
            if rest.hasPrefix("[?(@.") {
                guard let close = rest.range(of: ")]") else { return nil }
                let condition = rest[rest.index(rest.startIndex, offsetBy: 5)..<close.lowerBound]
                let parts = condition.components(separatedBy: "==")
                guard parts.count == 2 else { return nil }
                let field = parts[0]
                let expected = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
                current = value.arrayValue?.first { $0[field]?.stringValue == expected }
                rest = rest[close.upperBound...]
                continue
            }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else { return nil }
                current = value[i]
                rest = rest[rest.index(after: close)...]
                continue
            }
            let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            current = value[String(rest[..<end])]
            rest = rest[end...]
        }
        return current
    }
}
