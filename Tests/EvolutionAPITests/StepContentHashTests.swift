import Testing
import EvolutionAPI
import KubeJSON

/// The content hash is kept with the step (the engine reads it on every decision), so it
/// must follow every change to what it covers, and ignore the wiring it does not.
struct StepContentHashTests {
    @Test func theKeptHashFollowsEveryContentField() {
        var step = Step(name: "flag", manifests: [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "f"]]])
        var seen: Set<String> = [step.contentHash]
        func changed(_ what: String) {
            #expect(step.contentHash == ContentHash.of(step.content), "\(what): stale hash")
            #expect(seen.insert(step.contentHash).inserted, "\(what): the hash did not change")
        }
        step.manifests.append(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "g"]]); changed("manifests")
        step.checks = []; changed("checks")
        step.stableFor = .seconds(30); changed("stableFor")
        step.timeout = .minutes(1); changed("timeout")
        step.acknowledgmentRequired = true; changed("acknowledgmentRequired")
        let before = step.contentHash
        step.after = ["policy"]
        step.targets = ["us-east"]
        step.sync = .independent
        #expect(step.contentHash == before, "the wiring is not content")
    }
}
