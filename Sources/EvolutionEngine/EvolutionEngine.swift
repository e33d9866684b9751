@_exported import LedgerVocabulary
import EvolutionAPI
import KubeJSON

/// The decision core of Causeway: a pure function from what is known about
/// one Evolution to what to do next.
///
///     let decision = EvolutionEngine.decide(EngineInput(object: evo, observations: seen, now: clock.now))
///     for action in decision.actions { ... }      // in order: ledger, apply, events
///     patch status to decision.status; requeue at decision.requeueAt
///
/// ## Public API (all of it)
/// * `EvolutionEngine.decide(_:)` — the decision; `EvolutionEngine.observedObjects(spec:status:)` — what to watch.
/// * Input: `EngineInput` (generation, spec or its `SpecValidationError`, status, now),
///   `Observations` (live objects per target, objects known absent, `ApplyResult`s with their baselines),
///   `Acknowledgment`, `RetryRequest`.
/// * Output: `Decision` (actions, next `EvolutionStatus`, `requeueAt`), `Action`
///   (`.apply(ApplyAction)`, `.recordLedger(LedgerRecord)`, `.emitEvent(EventRecord)`), `LedgerEvent`.
/// * `KStatus.evaluate` and `CheckOutcome`, for tools that want to explain an object's readiness.
///
/// ## Expected flow
/// The controller reads the Evolution, collects `Observations` (the live
/// objects of `Step.observedObjects` on each target, and the outcome of every
/// apply it performed for the previous decision), calls `decide`, performs
/// the actions in order, writes `status`, and calls `decide` again whenever a
/// watched object changes, an apply completes, or `requeueAt` arrives.
///
/// ## Guarantees
/// * Pure and deterministic: no clock, I/O or randomness; the same input gives
///   the same actions in the same order (spec list order, then target order).
/// * A step starts on a target only when every predecessor converged as its
///   `sync` requires (Lockstep: on all its targets; Independent: on that
///   target), its acknowledgment (if required) is recorded, the spec is not
///   paused, and nothing has failed (the evolution is not halted).
/// * A converged step stays converged across generations while its content
///   hash is unchanged; changed steps and their successors run again.
/// * Ledger record ids are derived from what they record, so replaying a
///   decision after a crash yields the same ids for the ledger to absorb.
///
/// ## Caveats
/// * The controller must serialize decisions per Evolution and report every
///   apply's outcome in the next call; an unreported apply is asked for again.
/// * Convergence is a checkpoint: once converged, a step is not re-checked
///   (later changes to its objects are drift, handled by the drift policy).
/// * Drift is judged only on what `ApplyResult.baselines` said Causeway owns
///   (`DriftInspection`); observations must include applied objects with
///   their managedFields for attribution.
public enum EvolutionEngine {
    public static func decide(_ input: EngineInput) -> Decision {
        switch input.spec {
        case .failure(let invalid): return decideInvalid(input, invalid)
        case .success(let spec): return decideValid(input, spec)
        }
    }

    static func decideValid(_ input: EngineInput, _ spec: EvolutionSpec) -> Decision {
        var tick = Tick(input: input, spec: spec)
        if input.status.observedGeneration != input.generation {
            tick.record(.declared, detail: .object(Self.declared(spec).detail))
        }
        tick.status.observedGeneration = input.generation
        tick.restartAfterCompensation()

        var forward = tick.alignForwardSteps(replan: tick.status.compensation == nil)
        tick.clearResolvedHalt(forward)
        tick.applyRetry(&forward)

        tick.absorbAcknowledgments(&forward)
        tick.absorbApplyResults(&forward)
        tick.tendDrift()
        tick.evaluateConvergence(&forward)
        tick.haltOnFailure(forward)
        tick.takeRefusal()

        let drifting = spec.drift.haltOnDrift && tick.status.drifted > 0
        let refused = tick.status.refusal
        let mayStart = !spec.paused && !drifting && refused == nil && tick.status.halt == nil && tick.status.compensation == nil
        let blocked = spec.paused ? "paused (spec.paused)"
            : refused.map { "refused: \($0.reason)" }
            ?? (drifting ? "waits: unresolved deviations and drift.haltOnDrift"
                : tick.status.halt.map { "halted: \($0.step) failed on \($0.target)" } ?? "compensating")
        tick.startRunnable(&forward, mayStart: mayStart, blocked: blocked)
        tick.summarizeSteps(&forward)
        tick.status.steps = forward.states

        if var compensation = tick.compensationRun(forward: forward, mayStart: !spec.paused) {
            tick.progressCompensation(&compensation, mayStart: !spec.paused, blocked: "paused (spec.paused)")
            tick.summarizeSteps(&compensation)
            tick.status.compensation?.steps = compensation.states
        }
        tick.summarize(forward: forward)
        return Decision(actions: tick.actions, status: tick.status, requeueAt: tick.wakeups.min())
    }

    /// The plan as the ledger's `Declared` entry records it: steps in list order with their
    /// targets, sync and content hash, every DAG edge, and the plan's hash.
    static func declared(_ spec: EvolutionSpec) -> DeclaredSequence {
        DeclaredSequence(
            steps: spec.steps.map { DeclaredSequence.Step(name: $0.name, targets: $0.targets, sync: $0.sync == .independent ? .independent : .lockstep,
                                                          contentHash: $0.contentHash) },
            edges: spec.steps.flatMap { step in step.after.map { DeclaredSequence.Edge(from: $0, to: step.name) } },
            sequenceHash: spec.planHash)
    }

    /// An invalid spec starts nothing; work already in flight is left alone
    /// (its state stays in status) until a valid spec re-plans it.
    static func decideInvalid(_ input: EngineInput, _ invalid: SpecValidationError) -> Decision {
        var tick = Tick(input: input, spec: EvolutionSpec(steps: []))
        let wasInvalid = input.status.observedGeneration == input.generation && input.status.phase == .invalid
        if !wasInvalid {
            tick.record(.invalid, detail: ["issues": .array(invalid.issues.map { .string($0.description) })])
            tick.emit(.warning, "InvalidSpec", invalid.description)
        }
        tick.status.observedGeneration = input.generation
        tick.status.currentSteps = ""
        let forward = StepRun(steps: [], states: input.status.steps, isCompensation: false)
        tick.summarize(forward: forward, invalid: invalid)
        return Decision(actions: tick.actions, status: tick.status, requeueAt: nil)
    }
}
