import KubeJSON

/// Reads typed fields out of unstructured JSON, collecting every problem with
/// its path instead of stopping at the first, so one `kubectl apply` round
/// shows the user all they need to fix.
struct FieldReader {
    var issues: [SpecIssue] = []

    mutating func fail(_ path: String, _ message: String) {
        issues.append(SpecIssue(path, message))
    }

    /// The members of an object, reporting keys the shape does not know.
    mutating func object(_ value: JSON?, at path: String, shape: FieldShape) -> JSONObject? {
        guard let value, !value.isNull else { return nil }
        guard case .object(let o) = value else {
            fail(path, "expected an object, found \(value.typeName)")
            return nil
        }
        if let known = shape.fields {
            for key in o.keys where known[key] == nil {
                let names = known.keys.sorted().joined(separator: ", ")
                fail(path + "." + key, "unknown field; \(path.split(separator: ".").last.map(String.init) ?? path) accepts \(names)")
            }
        }
        return o
    }

    mutating func array(_ value: JSON?, at path: String) -> [JSON]? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let a) = value else {
            fail(path, "expected a list, found \(value.typeName)")
            return nil
        }
        return a
    }

    mutating func string(_ value: JSON?, at path: String) -> String? {
        guard let value, !value.isNull else { return nil }
        guard case .string(let s) = value else {
            fail(path, "expected a string, found \(value.typeName) \(value)")
            return nil
        }
        return s
    }

    mutating func strings(_ value: JSON?, at path: String) -> [String]? {
        guard let items = array(value, at: path) else { return nil }
        return items.enumerated().compactMap { string($1, at: "\(path)[\($0)]") }
    }

    mutating func bool(_ value: JSON?, at path: String) -> Bool? {
        guard let value, !value.isNull else { return nil }
        guard case .bool(let b) = value else {
            fail(path, "expected true or false, found \(value.typeName) \(value)")
            return nil
        }
        return b
    }

    mutating func duration(_ value: JSON?, at path: String) -> GoDuration? {
        guard let text = string(value, at: path) else { return nil }
        guard let d = GoDuration(parsing: text) else {
            fail(path, GoDuration.syntaxHint(text))
            return nil
        }
        return d
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ value: JSON?, at path: String, as: E.Type) -> E?
    where E.RawValue == String {
        guard let text = string(value, at: path) else { return nil }
        guard let e = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            fail(path, "\"\(text)\" is not one of \(allowed)")
            return nil
        }
        return e
    }
}
