import KubeJSON

/// A Kubernetes label selector: the `?labelSelector=` string syntax and `metav1.LabelSelector` objects.
///
/// Parsing follows apimachinery's `labels.Parse` token for token, so a string the server refuses is
/// refused here with the same message (`unable to parse requirement: found 'label', expected: in, notin,
/// =, ==, !=, gt, lt`). Requirements are kept sorted by key, as the server keeps them, so two selectors
/// that differ only in order are equal.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    /// A requirement's operator, spelled as in the selector string (`exists` has no spelling: a bare key).
    public enum Operator: String, Sendable, Equatable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One `key op values` term.
    public struct Requirement: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var `operator`: Operator
        /// Sorted and distinct, as apimachinery's string set keeps them.
        public var values: [String]

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch `operator` {
            case .equals, .doubleEquals, .in:
                guard let value else { return false }
                return values.contains(value)
            case .notEquals, .notIn:
                guard let value else { return true }
                return !values.contains(value)
            case .exists:
                return value != nil
            case .doesNotExist:
                return value == nil
            case .greaterThan, .lessThan:
                guard let value, let have = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return `operator` == .greaterThan ? have > bound : have < bound
            }
        }

        public var description: String {
            switch `operator` {
            case .exists: return key
            case .doesNotExist: return "!" + key
            case .in, .notIn: return "\(key) \(`operator`.rawValue) (\(values.joined(separator: ",")))"
            case .greaterThan: return key + ">" + (values.first ?? "")
            case .lessThan: return key + "<" + (values.first ?? "")
            case .equals, .doubleEquals, .notEquals: return key + `operator`.rawValue + (values.first ?? "")
            }
        }
    }

    public private(set) var requirements: [Requirement]
    /// A nil `metav1.LabelSelector` selects nothing, unlike an empty one.
    public private(set) var selectsNothing: Bool

    /// Selects every object (the empty string, or `{}` as an object).
    public static let everything = LabelSelector(requirements: [], selectsNothing: false)
    /// Selects no object (a null `metav1.LabelSelector`).
    public static let nothing = LabelSelector(requirements: [], selectsNothing: true)

    init(requirements: [Requirement], selectsNothing: Bool) {
        self.requirements = requirements
        self.selectsNothing = selectsNothing
    }

    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3,j<5`.
    public init(parsing text: String) throws(SelectorError) {
        var parser = LabelSelectorParser(text)
        let parsed = try parser.parse()
        self.init(requirements: Self.sorted(parsed), selectsNothing: false)
    }

    /// Builds the selector of a `metav1.LabelSelector` object (`matchLabels`, `matchExpressions`), as
    /// `LabelSelectorAsSelector` does: null selects nothing, `{}` selects everything.
    public init(object: JSON) throws(SelectorError) {
        if object.isNull { self = .nothing; return }
        guard case .object(let selector) = object else {
            throw SelectorError(message: "a label selector must be an object, found \(object.typeName)")
        }
        var requirements: [Requirement] = []
        if let matchLabels = selector["matchLabels"], !matchLabels.isNull {
            guard case .object(let labels) = matchLabels else {
                throw SelectorError(message: "matchLabels must be an object, found \(matchLabels.typeName)")
            }
            for (key, value) in labels {
                guard let value = value.stringValue else {
                    throw SelectorError(message: "matchLabels[\(key)] must be a string, found \(value.typeName)")
                }
                requirements.append(try Self.requirement(key, .equals, [value]))
            }
        }
        if let expressions = selector["matchExpressions"], !expressions.isNull {
            guard case .array(let items) = expressions else {
                throw SelectorError(message: "matchExpressions must be an array, found \(expressions.typeName)")
            }
            for item in items {
                let key = item["key"]?.stringValue ?? ""
                let values = (item["values"]?.arrayValue ?? []).compactMap(\.stringValue)
                let op: Operator
                switch item["operator"]?.stringValue ?? "" {
                case "In": op = .in
                case "NotIn": op = .notIn
                case "Exists": op = .exists
                case "DoesNotExist": op = .doesNotExist
                case let other: throw SelectorError(message: "\(GoFormat.quote(other)) is not a valid label selector operator")
                }
                requirements.append(try Self.requirement(key, op, values))
            }
        }
        self.init(requirements: Self.sorted(requirements), selectsNothing: false)
    }

    public func matches(_ labels: [String: String]) -> Bool {
        if selectsNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// Matches the labels of a JSON object's `metadata.labels` (non-string values are ignored).
    public func matches(object: JSON) -> Bool {
        var labels: [String: String] = [:]
        for (key, value) in object[path: "metadata", "labels"]?.objectValue ?? [:] {
            if let s = value.stringValue { labels[key] = s }
        }
        return matches(labels)
    }

    public var isEverything: Bool { !selectsNothing && requirements.isEmpty }

    /// The canonical string form (`a=b,c in (x,y)`); empty for `everything`.
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    private static func sorted(_ requirements: [Requirement]) -> [Requirement] {
        requirements.enumerated().sorted { a, b in
            a.element.key != b.element.key ? a.element.key < b.element.key : a.offset < b.offset
        }.map(\.element)
    }

    /// apimachinery's `NewRequirement`: validates the key, the value count for the operator and each value.
    static func requirement(_ key: String, _ op: Operator, _ rawValues: [String]) throws(SelectorError) -> Requirement {
        var errors: [String] = []
        let keyErrors = NameValidation.qualifiedName(key)
        if !keyErrors.isEmpty {
            errors.append("key: Invalid value: \(GoFormat.quote(key)): " + keyErrors.joined(separator: "; "))
        }
        let shown = "[]string{" + rawValues.map(GoFormat.quote).joined(separator: ", ") + "}"
        switch op {
        case .in, .notIn:
            if rawValues.isEmpty {
                errors.append("values: Invalid value: \(shown): for 'in', 'notin' operators, values set can't be empty")
            }
        case .equals, .doubleEquals, .notEquals:
            if rawValues.count != 1 {
                errors.append("values: Invalid value: \(shown): exact-match compatibility requires one single value")
            }
        case .exists, .doesNotExist:
            if !rawValues.isEmpty {
                errors.append("values: Invalid value: \(shown): values set must be empty for exists and does not exist")
            }
        case .greaterThan, .lessThan:
            if rawValues.count != 1 {
                errors.append("values: Invalid value: \(shown): for 'Gt', 'Lt' operators, exactly one value is required")
            }
            for (i, value) in rawValues.enumerated() where Int64(value) == nil {
                errors.append("values[\(i)]: Invalid value: \(GoFormat.quote(value)): for 'Gt', 'Lt' operators, the value must be an integer")
            }
        }
        for (i, value) in rawValues.enumerated() {
            let valueErrors = NameValidation.labelValue(value)
            if !valueErrors.isEmpty {
                errors.append("values[\(i)][\(key)]: Invalid value: \(GoFormat.quote(value)): " + valueErrors.joined(separator: "; "))
            }
        }
        switch errors.count {
        case 0: return Requirement(key: key, operator: op, values: Array(Set(rawValues)).sorted())
        case 1: throw SelectorError(message: errors[0])
        default: throw SelectorError(message: "[" + errors.joined(separator: ", ") + "]")
        }
    }
}
