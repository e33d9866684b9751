import KubeJSON

extension StructuralSchema {
    /// Validates a whole object against the schema, returning the 422 causes in the server's wording
    /// (`spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10`).
    ///
    /// Members are checked in name order so the causes come out in a stable order. Run it after
    /// `prune` and `applyDefaults`: a null on a non-nullable field that defaulting would remove is an
    /// error here.
    public func validate(_ object: JSON) -> [FieldError] {
        var errors: [FieldError] = []
        guard case .object(let o) = object else {
            return [FieldError.typeInvalid("", .string(Self.typeName(object)), "must be of type object: \(GoFormat.quote(Self.typeName(object)))")]
        }
        for key in root.required where o[key] == nil && key != "metadata" {
            errors.append(.required(key))
        }
        for key in o.keys.sorted() where key != "metadata" {
            guard let node = root.child(key), let value = o[key] else { continue }
            Self.validate(value, node, path: key, into: &errors)
        }
        return errors
    }

    /// The JSON-schema type of a value, integral doubles counting as integers (the server decodes `3.0` as 3).
    static func typeName(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let d): return Int64(exactly: d) != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func validate(_ value: JSON, _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        let actual = typeName(value)
        if value.isNull {
            if node.nullable { return }
            if node.type == nil && !node.intOrString { return }
        }
        if node.intOrString {
            guard actual == "integer" || actual == "string" else {
                errors.append(.typeInvalid(path, .string(actual), "\(path) in body must be of type integer,string: \(GoFormat.quote(actual))"))
                return
            }
        } else if let type = node.type {
            let ok = type == actual || (type == "number" && actual == "integer")
            guard ok else {
                errors.append(.typeInvalid(path, .string(actual), "\(path) in body must be of type \(type): \(GoFormat.quote(actual))"))
                return
            }
        }
        validateCombinators(value, node, path: path, into: &errors)
        switch value {
        case .string(let s): validateString(s, node, path: path, into: &errors)
        case .int, .double: validateNumber(value, node, path: path, into: &errors)
        case .array(let a): validateArray(a, node, path: path, into: &errors)
        case .object(let o): validateObject(o, node, path: path, into: &errors)
        default: break
        }
        if let allowed = node.enumValues, !allowed.contains(value) {
            let supported = allowed.map { $0.stringValue ?? $0.serializedString() }
            errors.append(.notSupported(path, value, supported: supported))
        }
    }

    private static func validateCombinators(_ value: JSON, _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        for sub in node.allOf { validate(value, sub, path: path, into: &errors) }
        func passes(_ sub: SchemaNode) -> Bool {
            var scratch: [FieldError] = []
            validate(value, sub, path: path, into: &scratch)
            return scratch.isEmpty
        }
        if !node.anyOf.isEmpty, !node.anyOf.contains(where: passes) {
            errors.append(.invalid(path, value, "\(path) in body must validate at least one schema (anyOf)"))
        }
        if !node.oneOf.isEmpty, node.oneOf.filter(passes).count != 1 {
            errors.append(.invalid(path, value, "\(path) in body must validate one and only one schema (oneOf)"))
        }
        if let not = node.not, passes(not) {
            errors.append(.invalid(path, value, "\(path) in body must not validate the schema (not)"))
        }
    }

    private static func validateString(_ s: String, _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        let length = s.unicodeScalars.count
        if let max = node.maxLength, length > max {
            errors.append(.tooLong(path, maxLength: max))
        }
        if let min = node.minLength, length < min {
            errors.append(.invalid(path, .string(s), "\(path) in body should be at least \(min) chars long"))
        }
        if let regex = node.regex, let pattern = node.pattern, (try? regex.firstMatch(in: s)) == nil {
            errors.append(.invalid(path, .string(s), "\(path) in body should match '\(pattern)'"))
        }
        if let format = node.format, !Formats.isValid(s, format: format) {
            errors.append(.typeInvalid(path, .string(s), "\(path) in body must be of type \(format): \(GoFormat.quote(s))"))
        }
    }

    private static func validateNumber(_ value: JSON, _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        guard let v = value.doubleValue else { return }
        if let m = node.multipleOf, m != 0 {
            let q = v / m
            if q != q.rounded() {
                errors.append(.invalid(path, value, "\(path) in body should be a multiple of \(GoFormat.number(m))"))
            }
        }
        if let maxJSON = node.maximum, let max = maxJSON.doubleValue {
            if node.exclusiveMaximum, v >= max {
                errors.append(.invalid(path, value, "\(path) in body should be less than \(GoFormat.number(max))"))
            } else if !node.exclusiveMaximum, v > max {
                errors.append(.invalid(path, value, "\(path) in body should be less than or equal to \(GoFormat.number(max))"))
            }
        }
        if let minJSON = node.minimum, let min = minJSON.doubleValue {
            if node.exclusiveMinimum, v <= min {
                errors.append(.invalid(path, value, "\(path) in body should be greater than \(GoFormat.number(min))"))
            } else if !node.exclusiveMinimum, v < min {
                errors.append(.invalid(path, value, "\(path) in body should be greater than or equal to \(GoFormat.number(min))"))
            }
        }
    }

    private static func validateArray(_ a: [JSON], _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        if let max = node.maxItems, a.count > max {
            errors.append(.tooMany(path, actual: a.count, max: max))
        }
        if let min = node.minItems, a.count < min {
            errors.append(.invalid(path, .int(Int64(a.count)), "\(path) in body should have at least \(min) items"))
        }
        if node.uniqueItems, Set(a).count != a.count {
            errors.append(.invalid(path, .array(a), "\(path) in body shouldn't contain duplicates"))
        }
        switch node.listType {
        case "set":
            var seen = Set<JSON>()
            for (i, item) in a.enumerated() where !seen.insert(item).inserted {
                errors.append(.duplicate("\(path)[\(i)]", item))
            }
        case "map" where !node.listMapKeys.isEmpty:
            var seen = Set<[JSON]>()
            for (i, item) in a.enumerated() {
                let key = node.listMapKeys.map { item[$0] ?? .null }
                if !seen.insert(key).inserted {
                    let shown = "map[string]interface {}{" + zip(node.listMapKeys, key).map { "\(GoFormat.quote($0.0)):\(GoFormat.value($0.1))" }.joined(separator: ", ") + "}"
                    errors.append(FieldError(reason: "FieldValueDuplicate", field: "\(path)[\(i)]", message: "Duplicate value: \(shown)"))
                }
            }
        default: break
        }
        if let items = node.items {
            for (i, item) in a.enumerated() { validate(item, items, path: "\(path)[\(i)]", into: &errors) }
        }
    }

    private static func validateObject(_ o: JSONObject, _ node: SchemaNode, path: String, into errors: inout [FieldError]) {
        if let max = node.maxProperties, o.count > max {
            errors.append(.tooMany(path, actual: o.count, max: max))
        }
        if let min = node.minProperties, o.count < min {
            errors.append(.invalid(path, .int(Int64(o.count)), "\(path) in body should have at least \(min) properties"))
        }
        if node.embeddedResource {
            for key in ["apiVersion", "kind"] where (o[key]?.stringValue ?? "").isEmpty {
                errors.append(.required("\(path).\(key)", "must not be empty"))
            }
        }
        for key in node.required where o[key] == nil {
            errors.append(.required("\(path).\(key)"))
        }
        for key in o.keys.sorted() {
            guard let child = node.child(key), let value = o[key] else { continue }
            validate(value, child, path: "\(path).\(key)", into: &errors)
        }
    }
}
