import KubeJSON

/// One node of a structural schema, read once from its JSON so validation does not re-parse it.
final class SchemaNode: Sendable {
    enum AdditionalProperties: Sendable {
        case unspecified
        case allowed(Bool)
        case schema(SchemaNode)
    }

    let type: String?
    let properties: [String: SchemaNode]
    let items: SchemaNode?
    let additionalProperties: AdditionalProperties
    let required: [String]
    let enumValues: [JSON]?
    let pattern: String?
    /// `Regex` is not `Sendable`, but it is immutable once built and only ever matched here.
    nonisolated(unsafe) let regex: Regex<AnyRegexOutput>?
    let minimum: JSON?
    let maximum: JSON?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let multipleOf: Double?
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let minProperties: Int?
    let maxProperties: Int?
    let uniqueItems: Bool
    let nullable: Bool
    let defaultValue: JSON?
    let format: String?
    let preserveUnknownFields: Bool
    let intOrString: Bool
    let embeddedResource: Bool
    let listType: String?
    let listMapKeys: [String]
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?

    enum Level { case root, field, item, valueValidation }

    static let supportedTypes = ["array", "boolean", "integer", "number", "object", "string"]

    /// Reads `json` at `path` (`spec.validation.openAPIV3Schema…`, the path the server reports).
    init(_ json: JSON, path: String, level: Level) throws(FieldError) {
        guard case .object(let o) = json else {
            throw FieldError.invalid(path, json, "must be an object")
        }
        let type = o["type"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        preserveUnknownFields = o["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        intOrString = o["x-kubernetes-int-or-string"]?.boolValue ?? false
        embeddedResource = o["x-kubernetes-embedded-resource"]?.boolValue ?? false
        if let type, !Self.supportedTypes.contains(type) {
            throw FieldError.notSupported(path + ".type", .string(type), supported: Self.supportedTypes)
        }
        if type == nil, !intOrString, !embeddedResource, level == .root || (!preserveUnknownFields && level != .valueValidation) {
            switch level {
            case .root: throw FieldError.required(path + ".type", "must not be empty at the root")
            case .item: throw FieldError.required(path + ".type", "must not be empty for specified array items")
            case .field: throw FieldError.required(path + ".type", "must not be empty for specified object fields")
            case .valueValidation: break
            }
        }
        if level == .root, let type, type != "object" {
            throw FieldError.invalid(path + ".type", .string(type), "must be object at the root")
        }
        self.type = type
        let childLevel: Level = level == .valueValidation ? .valueValidation : .field
        var properties: [String: SchemaNode] = [:]
        if let props = o["properties"]?.objectValue {
            for (name, child) in props {
                properties[name] = try SchemaNode(child, path: "\(path).properties[\(name)]", level: childLevel)
            }
        }
        self.properties = properties
        items = try o["items"].map { (json: JSON) throws(FieldError) in
            try SchemaNode(json, path: path + ".items", level: level == .valueValidation ? .valueValidation : .item)
        }
        switch o["additionalProperties"] {
        case .bool(let b)?: additionalProperties = .allowed(b)
        case .object(let schema)?:
            additionalProperties = .schema(try SchemaNode(.object(schema), path: path + ".additionalProperties", level: childLevel))
        default: additionalProperties = .unspecified
        }
        required = (o["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        enumValues = o["enum"]?.arrayValue
        pattern = o["pattern"]?.stringValue
        if let pattern {
            do {
                regex = try Regex(pattern)
            } catch {
                throw FieldError.invalid(path + ".pattern", .string(pattern), "must be a valid regular expression, but isn't: \(error)")
            }
        } else {
            regex = nil
        }
        minimum = o["minimum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        maximum = o["maximum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        exclusiveMinimum = o["exclusiveMinimum"]?.boolValue ?? false
        exclusiveMaximum = o["exclusiveMaximum"]?.boolValue ?? false
        multipleOf = o["multipleOf"]?.doubleValue
        minLength = o["minLength"]?.intValue.map { Int($0) }
        maxLength = o["maxLength"]?.intValue.map { Int($0) }
        minItems = o["minItems"]?.intValue.map { Int($0) }
        maxItems = o["maxItems"]?.intValue.map { Int($0) }
        minProperties = o["minProperties"]?.intValue.map { Int($0) }
        maxProperties = o["maxProperties"]?.intValue.map { Int($0) }
        uniqueItems = o["uniqueItems"]?.boolValue ?? false
        nullable = o["nullable"]?.boolValue ?? false
        defaultValue = o["default"]
        format = o["format"]?.stringValue
        listType = o["x-kubernetes-list-type"]?.stringValue
        listMapKeys = (o["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        func many(_ key: String) throws(FieldError) -> [SchemaNode] {
            var out: [SchemaNode] = []
            for (i, child) in (o[key]?.arrayValue ?? []).enumerated() {
                out.append(try SchemaNode(child, path: "\(path).\(key)[\(i)]", level: .valueValidation))
            }
            return out
        }
        allOf = try many("allOf")
        anyOf = try many("anyOf")
        oneOf = try many("oneOf")
        not = try o["not"].map { (json: JSON) throws(FieldError) in try SchemaNode(json, path: path + ".not", level: .valueValidation) }
    }

    /// The schema for member `key` of an object this node describes, if any.
    func child(_ key: String) -> SchemaNode? {
        if let p = properties[key] { return p }
        if case .schema(let s) = additionalProperties { return s }
        return nil
    }

    /// Whether members this node does not declare survive pruning.
    var keepsUnknownFields: Bool {
        if preserveUnknownFields { return true }
        if case .allowed(true) = additionalProperties { return true }
        return false
    }
}
