import EvolutionAPI
import KubeJSON

/// Evaluates a step's checks on one target against what was observed there.
enum CheckEvaluator {
    static func evaluate(_ step: Step, on target: String, _ observations: Observations) -> CheckOutcome {
        CheckOutcome.all(step.checks.map { check in
            switch check {
            case .current(nil):
                return CheckOutcome.all(step.appliedObjects.map { KStatus.evaluate(observations.object($0, on: target), key: $0) })
            case .current(let key?):
                return KStatus.evaluate(observations.object(key, on: target), key: key)
            case .condition(let c):
                return condition(c, observations.object(c.object, on: target))
            case .jsonPath(let j):
                return jsonPath(j, observations.object(j.object, on: target))
            }
        })
    }

    static func condition(_ check: ConditionCheck, _ object: JSON?) -> CheckOutcome {
        let what = "\(check.object.kind) \(check.object.name)"
        guard let object else { return .waiting("\(what) not found") }
        let conditions = Conditions(object)
        guard let found = conditions.find(check.type) else { return .waiting("\(what): no \(check.type) condition yet") }
        // A condition written for an older generation describes an older spec.
        if let generation = object[path: "metadata", "generation"]?.intValue,
           let conditionGeneration = found["observedGeneration"]?.intValue, conditionGeneration < generation {
            return .waiting("\(what): \(check.type) condition observedGeneration \(conditionGeneration) < generation \(generation)")
        }
        let status = found["status"]?.stringValue ?? "Unknown"
        if status == check.status { return .holds }
        return .waiting("\(what): \(check.type) is \(status), want \(check.status) (\(conditions.explain(check.type)))")
    }

    static func jsonPath(_ check: JSONPathCheck, _ object: JSON?) -> CheckOutcome {
        let what = "\(check.object.kind) \(check.object.name)"
        guard let object else { return .waiting("\(what) not found") }
        let value = check.path.evaluate(object)
        let shown = value.map { "\($0)" } ?? "absent"
        switch check.predicate {
        case .exists(let wanted):
            if (value != nil && value?.isNull == false) == wanted { return .holds }
            return .waiting("\(what): \(check.path) is \(wanted ? "absent" : "present (\(shown))")")
        case .equals(let wanted):
            return value == wanted ? .holds : .waiting("\(what): \(check.path) is \(shown), want \(wanted)")
        case .oneOf(let wanted):
            if let value, wanted.contains(value) { return .holds }
            return .waiting("\(what): \(check.path) is \(shown), want one of \(JSON.array(wanted))")
        case .matches(let pattern):
            guard let value else { return .waiting("\(what): \(check.path) is absent, want a match of \(pattern)") }
            let text = value.stringValue ?? "\(value)"
            guard let regex = try? Regex(pattern) else { return .failed("\(what): \(pattern) is not a valid regular expression") }
            return text.contains(regex) ? .holds : .waiting("\(what): \(check.path) is \(shown), want a match of \(pattern)")
        case .equalsField(let other):
            let otherValue = other.evaluate(object)
            if let value, let otherValue, value == otherValue { return .holds }
            // The message the essay's incident needed: "observedGeneration 3 < generation 4".
            if let a = value?.intValue, let b = otherValue?.intValue {
                return .waiting("\(what): \(lastKey(check.path)) \(a) \(a < b ? "<" : ">") \(lastKey(other)) \(b)")
            }
            return .waiting("\(what): \(check.path) is \(shown), want \(other) (\(otherValue.map { "\($0)" } ?? "absent"))")
        }
    }

    static func lastKey(_ path: JSONPath) -> String {
        if case .key(let k) = path.segments.last { return k }
        return path.text
    }
}
