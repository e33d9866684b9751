import Foundation
import Testing
import KubeJSON
import KubeSimTesting
import Ledger
import TestSupport

/// The `causeway` executable as a user runs it: exact output and exit codes.
@Suite(.serialized) struct CLITests {
    /// The repository root, where `causeway dev` finds Manifests/.
    static let repository = Command.repository

    /// Runs the CLI as a user would, from the repository root.
    static func causeway(_ arguments: [String], stdin: String = "") async throws -> CommandRun {
        let binary = try CausewayBinary.required()
        return try await Command.run([binary.path] + arguments, stdin: stdin, directory: repository)
    }

    @Test func convertShowsHowAManifestIsRead() async throws {
        let run = try await Self.causeway(["convert", "-o", "json"], stdin: "mode: 0755\nenabled: on\nversion: 1.10\n")
        #expect(run.status == 0)
        #expect(run.stdout == "{\n  \"mode\": 493,\n  \"enabled\": true,\n  \"version\": 1.1\n}\n")
    }

    @Test func convertReportsBadYAMLWithItsPlace() async throws {
        let run = try await Self.causeway(["convert"], stdin: "a: 1\na: 2\n")
        #expect(run.status == 1)
        #expect(run.stderr.contains("<stdin>") || run.stderr.contains("-: invalid YAML at line 2, column 1"), "\(run.stderr)")
    }

    @Test func ledgerVerifyAndAuditAnswerWithExitCodes() async throws {
        let dir = NSTemporaryDirectory() + "causeway-cli-ledger-\(UUID().uuidString)"
        let ref = EvolutionRef(namespace: "platform", name: "demo", uid: "u-1")
        let store = try FileLedgerStore(directory: dir, evolution: ref)
        let ledger = try await Ledger(evolution: ref, store: store)
        let declared: JSONObject = ["steps": [["name": "a", "targets": ["t"], "sync": "Lockstep"], ["name": "b", "targets": ["t"], "sync": "Lockstep"]],
                                    "edges": [["from": "a", "to": "b"]]]
        _ = try await ledger.append([
            EntryDraft(id: "d", event: LedgerEvent(rawValue: "Declared"), generation: 1, actor: "ctl", detail: declared),
            EntryDraft(id: "s-a", event: LedgerEvent(rawValue: "StepStarted"), generation: 1, step: "a", target: "t", actor: "ctl", detail: [:]),
            EntryDraft(id: "s-b", event: LedgerEvent(rawValue: "StepStarted"), generation: 1, step: "b", target: "t", actor: "ctl", detail: [:]),
            EntryDraft(id: "c-a", event: LedgerEvent(rawValue: "StepConverged"), generation: 1, step: "a", target: "t", actor: "ctl", detail: [:]),
        ])
        store.close()

        let verify = try await Self.causeway(["ledger", "verify", "--dir", dir, "demo"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("valid, 4 entries"))
        // b started before a converged: the audit says no and exits 1.
        let audit = try await Self.causeway(["audit", "--dir", dir, "demo"])
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("a → b (Lockstep): no"), "\(audit.stdout)")

        // Edit one byte of an entry: verify names it and exits 1.
        let file = dir + "/" + FileLedgerStore.fileName(for: ref)
        var text = String(decoding: FileManager.default.contents(atPath: file)!, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"actor\":\"ctl\"", with: "\"actor\":\"eve\"")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let tampered = try await Self.causeway(["ledger", "verify", "--dir", dir, "demo"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.lowercased().contains("edited"), "\(tampered.stdout)")
    }
}

extension CLITests {
    /// Deploy/base must render, and its controller arguments must be ones `causeway controller` accepts.
    @Test func deploymentManifestsRenderAndMatchTheCLI() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let help = try await Self.causeway(["controller", "--help"])
        #expect(help.status == 0)
        let deployment = String(decoding: FileManager.default.contents(atPath: root.appendingPathComponent("Deploy/base/controller.yaml").path)!, as: UTF8.self)
        let flags = deployment.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "- --") else { return nil }
            return String(line[range.upperBound...].split(separator: "=").first ?? "")
        }
        #expect(flags.count == 3)
        for flag in flags { #expect(help.stdout.contains("--\(flag)"), "causeway controller has no --\(flag)") }

        let kustomize = Process()
        kustomize.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        kustomize.arguments = ["kubectl", "kustomize", root.appendingPathComponent("Deploy/base").path]
        let out = NSTemporaryDirectory() + "kustomize-\(UUID().uuidString).yaml"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        kustomize.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        kustomize.standardError = FileHandle.nullDevice
        try kustomize.run()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { kustomize.waitUntilExit(); c.resume() }
        }
        #expect(kustomize.terminationStatus == 0)
        let rendered = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
        for kind in ["CustomResourceDefinition", "ClusterRole", "ServiceAccount", "Deployment", "Role", "Namespace"] {
            #expect(rendered.contains("kind: \(kind)\n"), "Deploy/base renders no \(kind)")
        }
    }

    /// README command one, interrupted mid-story (Ctrl-C) and resumed: the clusters and
    /// the ledger carry over, the story finishes, and no step starts twice anywhere.
    @Test func devStopsCleanlyOnInterruptAndResumesWhereItStopped() async throws {
        let binary = try CausewayBinary.required()
        let directory = NSTemporaryDirectory() + "causeway-dev-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + ".out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let dev = Process()
        dev.executableURL = binary
        dev.arguments = ["dev", "--auto-ack", "--directory", directory]
        dev.currentDirectoryURL = Self.repository
        dev.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        dev.standardError = FileHandle.nullDevice
        try dev.run()

        // Interrupt once the gateway policy has started (eu-west takes 4 s to absorb it).
        let ledgerFile = { () -> String? in
            (try? FileManager.default.contentsOfDirectory(atPath: directory + "/ledger"))?.first { $0.hasSuffix(".jsonl") }
                .map { directory + "/ledger/" + $0 }
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let file = ledgerFile(), let text = try? String(contentsOfFile: file, encoding: .utf8),
               text.contains(#""step":"gateway-policy""#) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(dev.processIdentifier, SIGINT)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { dev.waitUntilExit(); done.resume() }
        }
        let interrupted = try String(contentsOfFile: output, encoding: .utf8)
        #expect(dev.terminationStatus == 130, "\(interrupted)")
        #expect(interrupted.contains("interrupted; the clusters and the ledger are kept"), "\(interrupted)")
        let file = try #require(ledgerFile())
        let before = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!before.contains(#""event":"Completed""#))

        let resumed = try await Self.causeway(["dev", "--once", "--resume", "--auto-ack", "--directory", directory])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed evolution platform/roles-v2"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("evolution roles-v2: Converged"), "\(resumed.stdout)")
        let after = try String(contentsOfFile: file, encoding: .utf8)
        #expect(after.hasPrefix(before), "the resumed run extends the ledger; it does not rewrite it")
        let entries = try FileLedgerStore.read(directory: directory + "/ledger", evolution: #require(entriesEvolution(after))).entries
        #expect(LedgerVerifier.verify(entries).isValid)
        let starts = entries.filter { $0.event == .stepStarted }.map { "\($0.step ?? "")@\($0.target ?? "")" }
        #expect(starts.count == Set(starts).count, "a step started twice on a target: \(starts)")
        #expect(starts.count == 12, "4 steps × 3 regions: \(starts)")
    }

    /// `causeway dev --scenario`: the failure and drift stories run to their end, unattended.
    @Test(arguments: ["failure", "drift", "lockstep-vs-independent"]) func devScenariosPlayTheirStory(scenario: String) async throws {
        let directory = NSTemporaryDirectory() + "causeway-dev-\(scenario)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try await Self.causeway(["dev", "--once", "--auto-ack", "--plain", "--scenario", scenario, "--directory", directory])
        #expect(run.status == 0, "\(run.stderr)")
        if scenario == "failure" {
            #expect(run.stdout.contains("(every Deployment rollout fails here)"), "\(run.stdout)")
            #expect(run.stdout.contains("evolution roles-v2: Failed\n  app failed on eu-west\n  halted at app on eu-west (CheckFailed); compensation (feature flag off everywhere): Converged"),
                    "\(run.stdout)")
            #expect(run.stdout.contains("gateway-policy → feature-flag (Lockstep): not started"), "nothing after the failed step started")
        } else if scenario == "lockstep-vs-independent" {
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let lockstep = try #require(lines.first { $0.hasPrefix("  lockstep (roles-v2): ") }, "\(run.stdout)")
            let independent = try #require(lines.first { $0.hasPrefix("  independent (roles-v2-independent): ") }, "\(run.stdout)")
            // Lockstep: no region gets the flag before the slowest absorbed the policy. Independent: us-east (which
            // absorbs in 0.3 s, eu-west in 4 s) goes ahead; how far ahead is timing, so only the order is asserted.
            #expect(!lockstep.contains("before") && lockstep.components(separatedBy: " after").count == 4, "\(lockstep)")
            func usEast(_ line: String) -> Double? {
                guard let range = line.range(of: #"us-east (\d+\.\d) s (before|after)"#, options: .regularExpression) else { return nil }
                let words = line[range].split(separator: " ")
                return Double(words[1]).map { words[3] == "before" ? -$0 : $0 }
            }
            let ahead = try #require(usEast(independent)), behind = try #require(usEast(lockstep))
            #expect(ahead < behind, "independent: \(independent); lockstep: \(lockstep)")
        } else {
            #expect(run.stdout.contains("(oncall-hotfix patched the gateway Policy in eu-west by hand"), "\(run.stdout)")
            #expect(run.stdout.contains("evolution roles-v2: Converged\n  deviation Unresolved: Changed .spec.rules of gw.example/v1 Policy gateway/roles on eu-west by oncall-hotfix (Update)"),
                    "\(run.stdout)")
            #expect(run.stdout.contains("Out-of-band changes:"), "the audit lists it")
        }
    }

    private func entriesEvolution(_ ledger: String) -> EvolutionRef? {
        guard let line = ledger.split(separator: "\n").first, let entry = try? JSON.parse(Array(line.utf8)),
              let evolution = entry["evolution"] else { return nil }
        return EvolutionRef(namespace: evolution["namespace"]?.stringValue ?? "", name: evolution["name"]?.stringValue ?? "",
                            uid: evolution["uid"]?.stringValue ?? "")
    }
}

extension CLITests {
    /// `plan -f`: the essay's order offline, and every problem of a broken manifest at its path.
    @Test func planPrintsWavesOrEveryProblemAtItsPath() async throws {
        var run = try await Self.causeway(["plan", "-f", "Manifests/examples/essay.yaml"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "roles-v2: 4 steps on us-east, eu-west, ap-south")
        #expect(lines.contains("  wave 4:") && lines.contains("    feature-flag on us-east, eu-west, ap-south after gateway-policy; waits for an acknowledgment"),
                "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("    idp-roles on us-east, eu-west, ap-south; lockstep barrier") })
        run = try await Self.causeway(["plan", "-f", "-"], stdin: """
            apiVersion: causeway.dev/v1alpha1
            kind: Evolution
            metadata: {name: broken}
            spec:
              steps:
                - {name: a, after: [ghost], apply: {manifests: [{apiVersion: v1, kind: ConfigMap}]}}
                - {name: b, after: [a], converge: {stableFor: 2h}, apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}]}}
            """)
        #expect(run.status == 1)
        #expect(run.stdout == """
            broken: invalid
              spec.steps[0].after[0]: "ghost" is not a step here; use one of: b
              spec.steps[0].apply.manifests[0]: missing metadata.name; every object needs apiVersion, kind and metadata.name
              spec.steps[1].converge.stableFor: 2h0m0s is not shorter than timeout 10m0s, so the step could never converge; lengthen converge.timeout or shorten stableFor

            """, "\(run.stdout)")
    }
}

extension CLITests {
    /// The README's field reference is `causeway reference`'s output, generated from the CRD.
    @Test func theReadmeFieldReferenceIsTheCRDs() async throws {
        let run = try await Self.causeway(["reference"])
        #expect(run.status == 0, "\(run.stderr)")
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = try #require(readme.range(of: "<!-- evolution-fields:begin -->\n")), end = try #require(readme.range(of: "<!-- evolution-fields:end -->"))
        #expect(String(readme[begin.upperBound..<end.lowerBound]) == run.stdout,
                "README.md's field reference is stale: replace it with the output of `causeway reference`")
        #expect(run.stdout.contains("| `spec.drift.policy` | string: `Report`, `Revert`, `Adopt` |"))
        #expect(!run.stdout.contains("|  |"), "every field has a meaning in the CRD")
    }
}

extension CLITests {
    /// On a terminal (a pseudo-terminal from script(1)), `causeway dev` redraws the steps × regions
    /// grid in place instead of scrolling the transitions, then prints the audit as before.
    @Test func devRedrawsTheGridInPlaceOnATerminal() async throws {
        let binary = try CausewayBinary.required()
        let directory = NSTemporaryDirectory() + "causeway-dev-tty-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transcript = directory + ".tty"
        let run = try await Command.run(["script", "-qefc", "\(binary.path) dev --auto-ack --once --directory \(directory)", transcript],
                                        directory: Self.repository)
        #expect(run.status == 0, "\(run.stderr)")
        let text = String(decoding: FileManager.default.contents(atPath: transcript) ?? Data(), as: UTF8.self)
        let story = try #require(text.range(of: "evolution roles-v2: Converged")).lowerBound
        let live = text[..<story]
        #expect(live.components(separatedBy: "\u{1B}[J").count > 5, "frames are redrawn over the last one")
        #expect(!live.contains("StepStarted"), "transitions do not scroll by on a terminal")
        #expect(live.contains("feature-flag    Lockstep  converged  converged  converged"), "the last frame shows every cell converged")
        #expect(text[story...].contains("convergence before progression"), "the audit follows, as off a terminal")
    }
}
