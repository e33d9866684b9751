import KubeJSON

/// Builds JSON values from libyaml events with Kubernetes' rules: YAML 1.1
/// scalar typing, anchors and aliases expanded, `<<` merge keys applied,
/// non-string keys turned into strings, duplicate and null keys rejected.
struct YAMLComposer {
    private let parser: LibYAMLParser
    private var anchors: [String: JSON] = [:]
    private var document = 0
    var currentDocument: Int { document }
    /// Guards against alias bombs ("billion laughs"): total nodes produced, aliases included.
    private var budget: Int

    init(parser: LibYAMLParser, maxNodes: Int) {
        self.parser = parser
        self.budget = maxNodes
    }

    /// Every document in the stream, in order.
    mutating func documents() throws(YAMLError) -> [JSON] {
        guard case .streamStart = try next() else { throw YAMLError("expected the start of a YAML stream") }
        var result: [JSON] = []
        while true {
            switch try next() {
            case .streamEnd: return result
            case .documentStart:
                anchors.removeAll(keepingCapacity: true)
                let value = try node(try next())
                guard case .documentEnd = try next() else { throw YAMLError("expected the end of a document") }
                result.append(value)
                document += 1
            default: throw YAMLError("expected a document")
            }
        }
    }

    private func next() throws(YAMLError) -> LibYAMLParser.Event {
        do { return try parser.next() } catch {
            throw YAMLError(error.reason, line: error.line, column: error.column, document: document)
        }
    }

    private mutating func spend(at mark: YAMLMark) throws(YAMLError) {
        budget -= 1
        if budget < 0 { throw fail("document expands to too many nodes (alias expansion limit)", at: mark) }
    }

    private mutating func node(_ event: LibYAMLParser.Event) throws(YAMLError) -> JSON {
        switch event {
        case let .scalar(value, anchor, tag, plain, at):
            try spend(at: at)
            let resolved = try scalar(value, tag: tag, plain: plain, at: at)
            if let anchor { anchors[anchor] = resolved }
            return resolved
        case let .alias(anchor, at):
            guard let value = anchors[anchor] else { throw fail("unknown anchor '\(anchor)' referenced", at: at) }
            budget -= Self.size(of: value)
            if budget < 0 { throw fail("document expands to too many nodes (alias expansion limit)", at: at) }
            return value
        case let .sequenceStart(anchor, _, at):
            try spend(at: at)
            var elements: [JSON] = []
            while true {
                let e = try next()
                if case .sequenceEnd = e { break }
                elements.append(try node(e))
            }
            if let anchor { anchors[anchor] = .array(elements) }
            return .array(elements)
        case let .mappingStart(anchor, _, at):
            try spend(at: at)
            let object = try mapping(at: at)
            if let anchor { anchors[anchor] = .object(object) }
            return .object(object)
        default:
            throw YAMLError("unexpected YAML structure", document: document)
        }
    }

    /// Keys apply in document order, merges included, as go-yaml v2 does (and
    /// so kubectl): a `<<` overwrites keys written before it, keys after it win,
    /// and within a `<<` list the first mapping wins. Unlike kubectl, a key
    /// written twice is an error rather than a silent overwrite.
    private mutating func mapping(at start: YAMLMark) throws(YAMLError) -> JSONObject {
        var object = JSONObject()
        var keyLines: [String: Int] = [:]
        while true {
            let keyEvent = try next()
            if case .mappingEnd = keyEvent { break }
            let keyMark = Self.mark(of: keyEvent) ?? start
            if Self.isMergeKey(keyEvent) {
                let value = try node(try next())
                for source in try mergeSources(value, at: keyMark).reversed() {
                    for (k, v) in source { object.set(k, v) }
                }
                continue
            }
            let key = try self.key(keyEvent, at: keyMark)
            let value = try node(try next())
            if let line = keyLines[key] {
                throw fail("mapping key \"\(key)\" already defined at line \(line); remove one of them", at: keyMark)
            }
            keyLines[key] = keyMark.line
            object.set(key, value)
        }
        return object
    }

    private func mergeSources(_ value: JSON, at mark: YAMLMark) throws(YAMLError) -> [JSONObject] {
        switch value {
        case .object(let o): return [o]
        case .array(let items):
            var sources: [JSONObject] = []
            for item in items {
                guard case .object(let o) = item else {
                    throw fail("merge key '<<' needs a mapping or a list of mappings, found a list containing \(item.typeName)", at: mark)
                }
                sources.append(o)
            }
            return sources
        default:
            throw fail("merge key '<<' needs a mapping or a list of mappings, found \(value.typeName)", at: mark)
        }
    }

    /// JSON keys are strings. Kubernetes (sigs.k8s.io/yaml) turns `on:` into
    /// "true", `1:` into "1", float keys into Go's float32 `%g`, `.inf:` into
    /// ".inf", and rejects null, uint64-sized and collection keys.
    private mutating func key(_ event: LibYAMLParser.Event, at mark: YAMLMark) throws(YAMLError) -> String {
        if case let .scalar(value, anchor, nil, true, _) = event {
            let resolved = YAMLScalarResolver.resolvePlain(value)
            let key: String
            switch resolved {
            case .string: key = value
            case .bool(let b): key = b ? "true" : "false"
            case .int(let i): key = String(i)
            case .double(let d): key = GoFloatFormat.g(d, float32: true)
            case .nonFinite(let s): key = s.hasPrefix("-") ? "-.inf" : s.lowercased().contains("nan") ? ".nan" : ".inf"
            case .uint: throw fail("mapping key \(value) is beyond the 64-bit signed range; quote it", at: mark)
            case .null: throw fail("a mapping key is null; quote it (\"\(value)\") or give it a name", at: mark)
            }
            // An anchored key, aliased later, is a value and resolves as one.
            if let anchor { anchors[anchor] = (try? scalar(value, tag: nil, plain: true, at: mark)) ?? .string(value) }
            return key
        }
        let composed = try node(event)
        switch composed {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return GoFloatFormat.g(d, float32: true)
        case .null: throw fail("a mapping key is null; quote it or give it a name", at: mark)
        case .array, .object: throw fail("a mapping key is a \(composed.typeName); JSON only allows string keys", at: mark)
        }
    }

    private static func isMergeKey(_ event: LibYAMLParser.Event) -> Bool {
        guard case let .scalar(value, _, tag, plain, _) = event else { return false }
        return (plain && tag == nil && value == "<<") || tag == "tag:yaml.org,2002:merge"
    }

    private static func mark(of event: LibYAMLParser.Event) -> YAMLMark? {
        switch event {
        case let .scalar(_, _, _, _, at), let .alias(_, at), let .sequenceStart(_, _, at), let .mappingStart(_, _, at): return at
        default: return nil
        }
    }

    private static func size(of value: JSON) -> Int {
        switch value {
        case .array(let a): return a.reduce(1) { $0 + size(of: $1) }
        case .object(let o): return o.values.reduce(1) { $0 + size(of: $1) }
        default: return 1
        }
    }
}
