import Foundation
import KubeJSON

/// Decodes the Kubernetes protobuf bodies kubectl sends for built-in kinds
/// (`kubectl create namespace|configmap|secret|serviceaccount|role|rolebinding|token`,
/// `kubectl auth can-i`) into JSON.
///
/// The envelope is `k8s\0` then a runtime.Unknown {typeMeta{apiVersion, kind},
/// raw}; `raw` is the kind's message. Only the fields those kinds carry are
/// known (field numbers from the upstream generated.proto files); anything
/// else is a clear 415 rather than a guess.
enum ProtobufBody {
    struct Unsupported: Error { var reason: String }

    static func decode(_ bytes: [UInt8]) throws(Unsupported) -> JSON {
        guard bytes.count > 4, bytes[0..<4] == [0x6B, 0x38, 0x73, 0x00] else { throw Unsupported(reason: "missing the k8s protobuf envelope") }
        var envelope = Reader(bytes[4...])
        var apiVersion = "", kind = ""
        var raw: ArraySlice<UInt8> = []
        while let (field, value) = try envelope.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var r = Reader(typeMeta)
                while let (f, v) = try r.next() {
                    if f == 1, case .bytes(let b) = v { apiVersion = string(b) }
                    if f == 2, case .bytes(let b) = v { kind = string(b) }
                }
            case (2, .bytes(let b)): raw = b
            default: break
            }
        }
        var object: JSONObject = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        if let schema = Schema.kinds[kind] {
            for (key, value) in try message(raw, schema, kind: kind) { object.set(key, value) }
            return .object(object)
        }
        var r = Reader(raw)
        while let (field, value) = try r.next() {
            if case .varint(let flag) = value {
                switch (kind, field) {
                case ("ConfigMap", 4), ("Secret", 5): object.set("immutable", .bool(flag != 0))
                case ("ServiceAccount", 4): object.set("automountServiceAccountToken", .bool(flag != 0))
                default: throw Unsupported(reason: "\(kind) field \(field) is not understood in protobuf; send JSON (kubectl apply)")
                }
                continue
            }
            guard case .bytes(let b) = value else { continue }
            switch (kind, field) {
            case (_, 1): object.set("metadata", try objectMeta(b))
            case ("Namespace", 2): object.set("spec", ["finalizers": .array(try repeatedStrings(b, field: 1))])
            case ("Namespace", 3): object.set("status", .object(try fields(b, [1: "phase"])))
            case ("ConfigMap", 2), ("Secret", 4): try merge(into: &object, key: field == 2 ? "data" : "stringData", entry: b, bytesValue: false)
            case ("ConfigMap", 3), ("Secret", 2): try merge(into: &object, key: field == 3 ? "binaryData" : "data", entry: b, bytesValue: true)
            case ("Secret", 3): object.set("type", .string(string(b)))
            case ("ServiceAccount", 3):
                var list = object["imagePullSecrets"]?.arrayValue ?? []
                list.append(.object(try fields(b, [1: "name"])))
                object.set("imagePullSecrets", .array(list))
            default: throw Unsupported(reason: "\(kind) field \(field) is not understood in protobuf; send JSON (kubectl apply)")
            }
        }
        return .object(object)
    }

    /// How the fields of a message map to JSON, by field number (from the upstream generated.proto files).
    indirect enum Schema: Sendable {
        case string(String)
        case strings(String)
        case int(String)
        case bool(String)
        case message(String, [UInt64: Schema])
        case messages(String, [UInt64: Schema])
        case objectMeta
        /// Server-set or unneeded (a request's `status`): skipped.
        case ignored

        static let policyRule: [UInt64: Schema] = [1: .strings("verbs"), 2: .strings("apiGroups"), 3: .strings("resources"),
                                                   4: .strings("resourceNames"), 5: .strings("nonResourceURLs")]
        static let binding: [UInt64: Schema] = [
            1: .objectMeta,
            2: .messages("subjects", [1: .string("kind"), 2: .string("apiGroup"), 3: .string("name"), 4: .string("namespace")]),
            3: .message("roleRef", [1: .string("apiGroup"), 2: .string("kind"), 3: .string("name")]),
        ]
        static let resourceAttributes: [UInt64: Schema] = [
            1: .string("namespace"), 2: .string("verb"), 3: .string("group"), 4: .string("version"), 5: .string("resource"),
            6: .string("subresource"), 7: .string("name"), 8: .ignored, 9: .ignored,
        ]
        /// The kinds kubectl's typed clients send as protobuf: `create token`, `auth can-i`, `auth whoami`, `create role|rolebinding…`.
        static let kinds: [String: [UInt64: Schema]] = [
            "TokenRequest": [1: .objectMeta, 3: .ignored, 2: .message("spec", [
                1: .strings("audiences"), 4: .int("expirationSeconds"),
                3: .message("boundObjectRef", [1: .string("kind"), 2: .string("apiVersion"), 3: .string("name"), 4: .string("uid")]),
            ])],
            "SelfSubjectAccessReview": [1: .objectMeta, 3: .ignored, 2: .message("spec", [
                1: .message("resourceAttributes", resourceAttributes),
                2: .message("nonResourceAttributes", [1: .string("path"), 2: .string("verb")]),
            ])],
            "SelfSubjectRulesReview": [1: .objectMeta, 3: .ignored, 2: .message("spec", [1: .string("namespace")])],
            // `auth whoami`: the status it sends is the server's to fill.
            "SelfSubjectReview": [1: .objectMeta, 2: .ignored],
            "Role": [1: .objectMeta, 2: .messages("rules", policyRule)],
            "ClusterRole": [1: .objectMeta, 2: .messages("rules", policyRule),
                            3: .message("aggregationRule", [1: .messages("clusterRoleSelectors", [:])])],
            "RoleBinding": binding,
            "ClusterRoleBinding": binding,
        ]
    }

    /// A message read through its schema; empty strings and empty nested messages are
    /// left out, as JSON's omitempty leaves them out.
    private static func message(_ bytes: ArraySlice<UInt8>, _ schema: [UInt64: Schema], kind: String) throws(Unsupported) -> JSONObject {
        var o = JSONObject()
        var r = Reader(bytes)
        while let (field, value) = try r.next() {
            guard let spec = schema[field] else {
                throw Unsupported(reason: "\(kind) field \(field) is not understood in protobuf; send JSON (kubectl apply)")
            }
            switch (spec, value) {
            case (.ignored, _): break
            case (.string(let key), .bytes(let b)): if !b.isEmpty { o.set(key, .string(string(b))) }
            case (.strings(let key), .bytes(let b)):
                o.set(key, .array((o[key]?.arrayValue ?? []) + [.string(string(b))]))
            case (.int(let key), .varint(let n)): o.set(key, .int(Int64(bitPattern: n)))
            case (.bool(let key), .varint(let n)): o.set(key, .bool(n != 0))
            case (.objectMeta, .bytes(let b)): o.set("metadata", try objectMeta(b))
            case (.message(let key, let inner), .bytes(let b)):
                let nested = try message(b, inner, kind: kind)
                if !nested.isEmpty { o.set(key, .object(nested)) }
            case (.messages(let key, let inner), .bytes(let b)):
                o.set(key, .array((o[key]?.arrayValue ?? []) + [.object(try message(b, inner, kind: kind))]))
            default:
                throw Unsupported(reason: "\(kind) field \(field) has an unexpected wire type")
            }
        }
        return o
    }

    private static func objectMeta(_ bytes: ArraySlice<UInt8>) throws(Unsupported) -> JSON {
        var meta = JSONObject()
        var r = Reader(bytes)
        while let (field, value) = try r.next() {
            switch (field, value) {
            case (1, .bytes(let b)): meta.set("name", .string(string(b)))
            case (2, .bytes(let b)): meta.set("generateName", .string(string(b)))
            case (3, .bytes(let b)): meta.set("namespace", .string(string(b)))
            case (6, .bytes(let b)): meta.set("resourceVersion", .string(string(b)))
            case (11, .bytes(let b)), (12, .bytes(let b)):
                let key = field == 11 ? "labels" : "annotations"
                var map = meta[key]?.objectValue ?? JSONObject()
                let (k, v) = try entry(b)
                map.set(string(k), .string(string(v)))
                meta.set(key, .object(map))
            case (14, .bytes(let b)):
                var list = meta["finalizers"]?.arrayValue ?? []
                list.append(.string(string(b)))
                meta.set("finalizers", .array(list))
            case (8, _), (5, _), (7, _), (4, _): break  // server-owned: ignored on create anyway
            default: throw Unsupported(reason: "metadata field \(field) is not understood in protobuf; send JSON (kubectl apply)")
            }
        }
        return .object(meta)
    }

    private static func merge(into object: inout JSONObject, key: String, entry bytes: ArraySlice<UInt8>, bytesValue: Bool) throws(Unsupported) {
        var map = object[key]?.objectValue ?? JSONObject()
        let (k, v) = try entry(bytes)
        map.set(string(k), .string(bytesValue ? Data(v).base64EncodedString() : string(v)))
        object.set(key, .object(map))
    }

    /// A map entry message {1: key, 2: value}.
    private static func entry(_ bytes: ArraySlice<UInt8>) throws(Unsupported) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var r = Reader(bytes)
        var key: ArraySlice<UInt8> = [], value: ArraySlice<UInt8> = []
        while let (f, v) = try r.next() {
            if case .bytes(let b) = v { if f == 1 { key = b } else if f == 2 { value = b } }
        }
        return (key, value)
    }

    private static func repeatedStrings(_ bytes: ArraySlice<UInt8>, field: UInt64) throws(Unsupported) -> [JSON] {
        var r = Reader(bytes)
        var out: [JSON] = []
        while let (f, v) = try r.next() { if f == field, case .bytes(let b) = v { out.append(.string(string(b))) } }
        return out
    }

    private static func fields(_ bytes: ArraySlice<UInt8>, _ names: [UInt64: String]) throws(Unsupported) -> JSONObject {
        var r = Reader(bytes)
        var o = JSONObject()
        while let (f, v) = try r.next() { if let name = names[f], case .bytes(let b) = v { o.set(name, .string(string(b))) } }
        return o
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Protobuf wire format: varints and length-delimited fields (the only kinds these messages use).
    struct Reader {
        enum Value { case varint(UInt64), bytes(ArraySlice<UInt8>) }
        var data: ArraySlice<UInt8>

        init(_ data: ArraySlice<UInt8>) { self.data = data }

        mutating func varint() throws(Unsupported) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = data.popFirst() {
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw Unsupported(reason: "truncated protobuf varint")
        }

        mutating func next() throws(Unsupported) -> (UInt64, Value)? {
            guard !data.isEmpty else { return nil }
            let tag = try varint()
            switch tag & 7 {
            case 0: return (tag >> 3, .varint(try varint()))
            case 2:
                let length = Int(try varint())
                guard length <= data.count else { throw Unsupported(reason: "truncated protobuf field") }
                let value = data.prefix(length)
                data = data.dropFirst(length)
                return (tag >> 3, .bytes(value))
            default: throw Unsupported(reason: "protobuf wire type \(tag & 7) is not supported")
            }
        }
    }
}
