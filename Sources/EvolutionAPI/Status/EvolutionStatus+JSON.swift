import KubeJSON

// Status ⇄ JSON. Decoding is lenient: status is written only by the
// controller, and a field it cannot read is treated as absent rather than
// blocking every future decision on the object.

extension EvolutionStatus {
    public init(json: JSON?) {
        self.init()
        guard let json, case .object = json else { return }
        observedGeneration = json["observedGeneration"]?.intValue
        phase = json["phase"]?.stringValue.flatMap(EvolutionPhase.init(rawValue:)) ?? .pending
        conditions = (json["conditions"]?.arrayValue ?? []).compactMap(StatusCondition.init(json:))
        currentSteps = json["currentSteps"]?.stringValue ?? ""
        progress = json["progress"]?.stringValue ?? ""
        drifted = json["drifted"]?.intValue.map { Int($0) } ?? 0
        message = json["message"]?.stringValue ?? ""
        steps = (json["steps"]?.arrayValue ?? []).compactMap(StepState.init(json:))
        halt = json["halt"].flatMap(HaltRecord.init(json:))
        refusal = json["refusal"].flatMap(RefusalRecord.init(json:))
        compensation = json["compensation"].flatMap(CompensationState.init(json:))
        lastRetryToken = json["lastRetryToken"]?.stringValue
        drift = DriftStatus(json: json["drift"]) ?? DriftStatus()
        if let l = json["ledger"], let backend = l["backend"]?.stringValue {
            ledger = LedgerSummary(backend: backend, entries: l["entries"]?.intValue ?? 0, headHash: l["headHash"]?.stringValue ?? "",
                                   segment: l["segment"]?.stringValue, keyID: l["keyID"]?.stringValue, signature: l["signature"]?.stringValue)
        }
    }

    /// The `status` object, keys in a fixed order, optional fields omitted.
    public var json: JSON {
        var o = JSONObject()
        o.put("observedGeneration", observedGeneration.map { .int($0) })
        o.put("phase", .string(phase.rawValue))
        o.put("conditions", .array(conditions.map(\.json)))
        o.put("currentSteps", currentSteps.isEmpty ? nil : .string(currentSteps))
        o.put("progress", progress.isEmpty ? nil : .string(progress))
        o.put("drifted", .int(Int64(drifted)))
        o.put("message", message.isEmpty ? nil : .string(message))
        o.put("steps", .array(steps.map(\.json)))
        o.put("halt", halt?.json)
        o.put("refusal", refusal?.json)
        o.put("compensation", compensation?.json)
        o.put("lastRetryToken", lastRetryToken.map { .string($0) })
        if let ledger {
            var l: JSONObject = ["backend": .string(ledger.backend), "entries": .int(ledger.entries), "headHash": .string(ledger.headHash)]
            l.put("segment", ledger.segment.map { .string($0) })
            l.put("keyID", ledger.keyID.map { .string($0) })
            l.put("signature", ledger.signature.map { .string($0) })
            o.put("ledger", .object(l))
        }
        o.put("drift", drift.isEmpty ? nil : drift.json)
        return .object(o)
    }
}

extension StatusCondition {
    init?(json: JSON) {
        guard let type = json["type"]?.stringValue, let status = json["status"]?.stringValue else { return nil }
        self.init(type: type, status: status, reason: json["reason"]?.stringValue ?? "", message: json["message"]?.stringValue ?? "",
                  observedGeneration: json["observedGeneration"]?.intValue,
                  lastTransitionTime: json["lastTransitionTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
    }

    public var json: JSON {
        var o: JSONObject = ["type": .string(type), "status": .string(status)]
        o.put("observedGeneration", observedGeneration.map { .int($0) })
        o.put("lastTransitionTime", lastTransitionTime.map { .string($0.rfc3339) })
        o.put("reason", .string(reason))
        o.put("message", .string(message))
        return .object(o)
    }
}

extension StepState {
    init?(json: JSON) {
        guard let name = json["name"]?.stringValue else { return nil }
        self.init(name: name, contentHash: json["contentHash"]?.stringValue ?? "",
                  phase: json["phase"]?.stringValue.flatMap(StepPhase.init(rawValue:)) ?? .pending,
                  acknowledgedBy: json["acknowledgedBy"]?.stringValue,
                  acknowledgedAt: json["acknowledgedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
                  message: json["message"]?.stringValue ?? "",
                  targets: (json["targets"]?.arrayValue ?? []).compactMap(TargetState.init(json:)))
    }

    public var json: JSON {
        var o: JSONObject = ["name": .string(name), "contentHash": .string(contentHash), "phase": .string(phase.rawValue)]
        o.put("acknowledgedBy", acknowledgedBy.map { .string($0) })
        o.put("acknowledgedAt", acknowledgedAt.map { .string($0.rfc3339) })
        o.put("message", message.isEmpty ? nil : .string(message))
        o.put("targets", .array(targets.map(\.json)))
        return .object(o)
    }
}

extension TargetState {
    init?(json: JSON) {
        guard let name = json["name"]?.stringValue else { return nil }
        func time(_ key: String) -> Timestamp? { json[key]?.stringValue.flatMap(Timestamp.init(rfc3339:)) }
        self.init(name: name, phase: json["phase"]?.stringValue.flatMap(TargetPhase.init(rawValue:)) ?? .pending,
                  attempts: json["attempts"]?.intValue.map { Int($0) } ?? 0,
                  startedAt: time("startedAt"), appliedAt: time("appliedAt"), passingSince: time("passingSince"),
                  checkpoints: json["checkpoints"]?.intValue.map { Int($0) } ?? 0, convergedAt: time("convergedAt"), retryAt: time("retryAt"),
                  reason: json["reason"]?.stringValue, message: json["message"]?.stringValue ?? "")
    }

    public var json: JSON {
        var o: JSONObject = ["name": .string(name), "phase": .string(phase.rawValue), "attempts": .int(Int64(attempts))]
        for (key, value) in [("startedAt", startedAt), ("appliedAt", appliedAt), ("passingSince", passingSince),
                             ("convergedAt", convergedAt), ("retryAt", retryAt)] {
            o.put(key, value.map { .string($0.rfc3339) })
        }
        if checkpoints > 0 { o.put("checkpoints", .int(Int64(checkpoints))) }
        o.put("reason", reason.map { .string($0) })
        o.put("message", message.isEmpty ? nil : .string(message))
        return .object(o)
    }
}

extension HaltRecord {
    init?(json: JSON) {
        guard let step = json["step"]?.stringValue, let at = json["at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        self.init(step: step, target: json["target"]?.stringValue ?? "", reason: json["reason"]?.stringValue ?? "",
                  message: json["message"]?.stringValue ?? "", at: at)
    }

    public var json: JSON {
        ["step": .string(step), "target": .string(target), "reason": .string(reason), "message": .string(message), "at": .string(at.rfc3339)]
    }
}

extension RefusalRecord {
    init?(json: JSON) {
        guard let reason = json["reason"]?.stringValue.flatMap(FailureReason.init(rawValue:)) else { return nil }
        self.init(reason: reason, message: json["message"]?.stringValue ?? "", step: json["step"]?.stringValue,
                  target: json["target"]?.stringValue)
    }

    public var json: JSON {
        var o: JSONObject = ["reason": .string(reason), "message": .string(message)]
        o.put("step", step.map { .string($0) })
        o.put("target", target.map { .string($0) })
        return .object(o)
    }
}

extension CompensationState {
    init?(json: JSON) {
        guard let failedStep = json["failedStep"]?.stringValue else { return nil }
        self.init(phase: json["phase"]?.stringValue.flatMap(Phase.init(rawValue:)) ?? .progressing, failedStep: failedStep,
                  scope: (json["scope"]?.arrayValue ?? []).compactMap(\.stringValue),
                  generation: json["generation"]?.intValue ?? 0,
                  steps: (json["steps"]?.arrayValue ?? []).compactMap(StepState.init(json:)))
    }

    public var json: JSON {
        ["phase": .string(phase.rawValue), "failedStep": .string(failedStep), "scope": .array(scope.map { .string($0) }),
         "generation": .int(generation), "steps": .array(steps.map(\.json))]
    }
}

extension JSONObject {
    /// Sets `key` when `value` is non-nil.
    mutating func put(_ key: String, _ value: JSON?) {
        if let value { set(key, value) }
    }
}
