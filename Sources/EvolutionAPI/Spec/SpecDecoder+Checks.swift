import KubeJSON

// Convergence checks and object references: exactly one kind per check,
// exactly one predicate per jsonPath check, paths and regexes that parse.

extension SpecDecoder {
    static func decodeCheck(_ json: JSON, at path: String, reader: inout FieldReader) -> ConvergenceCheck? {
        let shape = FieldShape.check
        guard let c = reader.object(json, at: path, shape: shape) else { return nil }
        let kinds = c.keys.filter { shape.fields![$0] != nil }
        guard kinds.count == 1, let kind = kinds.first else {
            reader.fail(path, kinds.isEmpty
                ? "a check needs one of current, condition or jsonPath"
                : "a check has exactly one of current, condition or jsonPath; split \(kinds.joined(separator: " and ")) into separate checks")
            return nil
        }
        let body = reader.object(c[kind], at: "\(path).\(kind)", shape: shape.fields![kind]!) ?? [:]
        let objectPath = "\(path).\(kind).object"
        switch kind {
        case "current":
            guard body["object"] != nil else { return .current(nil) }
            return decodeReference(body["object"], at: objectPath, reader: &reader).map { .current($0) }
        case "condition":
            guard let object = requiredReference(body["object"], at: objectPath, reader: &reader) else { return nil }
            guard let type = reader.string(body["type"], at: "\(path).condition.type") else {
                reader.fail("\(path).condition.type", "required; the condition type to wait for, e.g. Ready")
                return nil
            }
            if let b = body["status"]?.boolValue {
                // YAML 1.1: an unquoted True/yes is a boolean, and conditions' statuses are strings.
                reader.fail("\(path).condition.status", "expected a string, found boolean \(b); quote it: status: \"\(b ? "True" : "False")\"")
                return nil
            }
            let status = reader.string(body["status"], at: "\(path).condition.status") ?? "True"
            guard ConditionCheck.statuses.contains(status) else {
                reader.fail("\(path).condition.status", "\"\(status)\" is not one of True, False, Unknown (quote it in YAML: \"True\")")
                return nil
            }
            return .condition(ConditionCheck(object: object, type: type, status: status))
        default:
            guard let object = requiredReference(body["object"], at: objectPath, reader: &reader) else { return nil }
            guard let text = reader.string(body["path"], at: "\(path).jsonPath.path") else {
                reader.fail("\(path).jsonPath.path", "required; \(JSONPath.syntaxHint)")
                return nil
            }
            guard let jsonPath = JSONPath(text) else {
                reader.fail("\(path).jsonPath.path", "\"\(text)\" is not a supported path; \(JSONPath.syntaxHint)")
                return nil
            }
            let predicates = ["equals", "in", "exists", "matches", "equalsField"].filter { body[$0] != nil }
            guard predicates.count == 1, let p = predicates.first else {
                reader.fail("\(path).jsonPath", predicates.isEmpty
                    ? "needs one of equals, in, exists, matches or equalsField"
                    : "has \(predicates.joined(separator: " and ")); use exactly one, or one check each")
                return nil
            }
            let at = "\(path).jsonPath.\(p)"
            let predicate: JSONPathCheck.Predicate
            switch p {
            case "equals": predicate = .equals(body["equals"]!)
            case "in":
                guard let values = reader.array(body["in"], at: at) else { return nil }
                predicate = .oneOf(values)
            case "exists":
                guard let b = reader.bool(body["exists"], at: at) else { return nil }
                predicate = .exists(b)
            case "matches":
                guard let r = reader.string(body["matches"], at: at) else { return nil }
                guard (try? Regex(r)) != nil else {
                    reader.fail(at, "\"\(r)\" is not a valid regular expression")
                    return nil
                }
                predicate = .matches(r)
            default:
                guard let t = reader.string(body["equalsField"], at: at) else { return nil }
                guard let other = JSONPath(t) else {
                    reader.fail(at, "\"\(t)\" is not a supported path; \(JSONPath.syntaxHint)")
                    return nil
                }
                predicate = .equalsField(other)
            }
            return .jsonPath(JSONPathCheck(object: object, path: jsonPath, predicate: predicate))
        }
    }

    static func requiredReference(_ json: JSON?, at path: String, reader: inout FieldReader) -> ObjectKey? {
        guard json != nil else {
            reader.fail(path, "required; name the object to check: {apiVersion, kind, name, namespace}")
            return nil
        }
        return decodeReference(json, at: path, reader: &reader)
    }

    static func decodeReference(_ json: JSON?, at path: String, reader: inout FieldReader) -> ObjectKey? {
        guard let o = reader.object(json, at: path, shape: FieldShape.objectReference) else { return nil }
        var missing: [String] = []
        let apiVersion = reader.string(o["apiVersion"], at: path + ".apiVersion")
        let kind = reader.string(o["kind"], at: path + ".kind")
        let name = reader.string(o["name"], at: path + ".name")
        if o["apiVersion"] == nil { missing.append("apiVersion") }
        if o["kind"] == nil { missing.append("kind") }
        if o["name"] == nil { missing.append("name") }
        guard missing.isEmpty else {
            reader.fail(path, "missing \(missing.joined(separator: ", ")); an object reference needs apiVersion, kind and name")
            return nil
        }
        guard let apiVersion, let kind, let name else { return nil }
        return ObjectKey(apiVersion: apiVersion, kind: kind, namespace: reader.string(o["namespace"], at: path + ".namespace"), name: name)
    }
}
