/// The failure that stopped progression: the first one, in plan order.
public struct HaltRecord: Sendable, Hashable {
    public var step: String
    public var target: String
    public var reason: String
    public var message: String
    public var at: Timestamp

    public init(step: String, target: String, reason: String, message: String, at: Timestamp) {
        self.step = step
        self.target = target
        self.reason = reason
        self.message = message
        self.at = at
    }
}

/// The compensation sequence started after a failure.
public struct CompensationState: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        case progressing = "Progressing"
        case converged = "Converged"
        case failed = "Failed"
    }

    public var phase: Phase
    /// The forward step whose failure started it.
    public var failedStep: String
    /// Where steps without declared targets run: the failed step's started targets.
    public var scope: [String]
    /// The generation whose failure it compensates.
    public var generation: Int64
    public var steps: [StepState]

    public init(phase: Phase, failedStep: String, scope: [String], generation: Int64, steps: [StepState]) {
        self.phase = phase
        self.failedStep = failedStep
        self.scope = scope
        self.generation = generation
        self.steps = steps
    }
}
