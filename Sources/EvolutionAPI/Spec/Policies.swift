/// What a failed step leads to.
public enum FailureAction: String, Sendable, Hashable, CaseIterable {
    /// Stop: nothing new starts until the spec is corrected or the step retried.
    case halt = "Halt"
    /// Halt, then run `compensation` as a new forward sequence.
    case compensate = "Compensate"
}

/// `spec.onFailure`: failure is part of the declared path, not improvised.
public struct FailurePolicy: Sendable, Hashable {
    public var action: FailureAction
    /// Steps with their own ordering and convergence; not an inverse replay of
    /// the forward steps, because rollback in a distributed system rarely is.
    public var compensation: [Step]

    public init(action: FailureAction = .halt, compensation: [Step] = []) {
        self.action = action
        self.compensation = compensation
    }
}

/// `spec.drift`: what to do when someone else changes what a step applied.
public struct DriftPolicy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case report = "Report"
        case revert = "Revert"
        case adopt = "Adopt"
    }

    public var policy: Mode
    /// Stop new starts while a deviation is unresolved.
    public var haltOnDrift: Bool
    /// Causeway's admission webhook denies writes by anyone but Causeway to what the steps
    /// applied (`GovernanceMark.freeze`), unless the write breaks the glass.
    public var freeze: Bool

    public init(policy: Mode = .report, haltOnDrift: Bool = false, freeze: Bool = false) {
        self.policy = policy
        self.haltOnDrift = haltOnDrift
        self.freeze = freeze
    }
}
