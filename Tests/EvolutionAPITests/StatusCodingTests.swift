import EvolutionAPI
import KubeJSON
import Testing

struct StatusCodingTests {
    @Test func roundTripsThroughJSON() throws {
        let target = TargetState(name: "eu-west", phase: .converging, attempts: 2, startedAt: Timestamp(secondsSinceEpoch: 100),
                                 appliedAt: Timestamp(nanosecondsSinceEpoch: 101_500_000_000), reason: "Forbidden", message: "waiting")
        let status = EvolutionStatus(
            observedGeneration: 4, phase: .progressing,
            conditions: [StatusCondition(type: "Ready", status: false, reason: "InProgress", message: "m", observedGeneration: 4,
                                         lastTransitionTime: Timestamp(secondsSinceEpoch: 90))],
            currentSteps: "gateway-policy", progress: "2/4", drifted: 0, message: "gateway-policy waits for eu-west",
            steps: [StepState(name: "gateway-policy", contentHash: "0123456789abcdef", phase: .progressing, message: "m", targets: [target])],
            refusal: RefusalRecord(reason: .serviceAccountNotFound, message: "no account", step: "a", target: "local"),
            lastRetryToken: "t1")
        let text = status.json.serializedString()
        #expect(EvolutionStatus(json: try JSON.parse(text)) == status)
        #expect(text.contains(#""appliedAt":"1970-01-01T00:01:41.5Z""#))
    }

    @Test func readsAnEmptyOrForeignStatusAsNew() {
        #expect(EvolutionStatus(json: nil) == EvolutionStatus())
        #expect(EvolutionStatus(json: ["phase": "Nonsense", "steps": [["nameless": true]]]) == EvolutionStatus())
    }
}
