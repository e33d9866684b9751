import Testing
import Foundation
@testable import Ledger

/// Finds the `ledger-crash-child` executable built beside the tests.
enum CrashChild {
    static let url: URL? = {
        let fm = FileManager.default
        var candidates: [URL] = []
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("ledger-crash-child"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("ledger-crash-child"))
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("ledger-crash-child"))
        // The package root, from this file's location: Tests/LedgerTests/CrashTests.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for base in [root, URL(fileURLWithPath: fm.currentDirectoryPath)] {
            let build = base.appendingPathComponent(".build")
            candidates.append(build.appendingPathComponent("debug/ledger-crash-child"))
            for triple in (try? fm.contentsOfDirectory(atPath: build.path)) ?? [] {
                candidates.append(build.appendingPathComponent("\(triple)/debug/ledger-crash-child"))
            }
        }
        return candidates.first { fm.isExecutableFile(atPath: $0.path) }
    }()
}

struct CrashTests {
    static let evolution = EvolutionRef(namespace: "crash-test", name: "sigkill", uid: "uid-sigkill")

    @Test(.enabled(if: CrashChild.url != nil,
                   "ledger-crash-child not found next to the tests: add the executable target `ledger-crash-child` (depends on Ledger) and build with `swift build --build-tests`"),
          .timeLimit(.minutes(5)))
    func sigkillAtRandomMomentsNeverCorruptsLosesOrDuplicates() throws {
        let child = try #require(CrashChild.url)
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var rng = SeededRNG(seed: 0x5EED)
        var recoveries = 0
        var acknowledgedMax = 0
        let trials = 60

        for trial in 0..<trials {
            let process = Process()
            process.executableURL = child
            process.arguments = [dir.path, Self.evolution.name] + (trial % 2 == 0 ? ["--torn"] : [])
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // A random moment: during start-up, recovery, or mid-append.
            usleep(UInt32(5_000 + rng.next() % 120_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "trial \(trial): the child exited by itself (\(process.terminationStatus))")
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let acknowledged = printed.split(separator: "\n").compactMap { Int($0) }
            acknowledgedMax = max(acknowledgedMax, acknowledged.max() ?? 0)

            // Reopen as the controller would after the crash.
            let store = try FileLedgerStore(directory: dir.path, evolution: Self.evolution)
            defer { store.close() }
            if store.recovery != nil { recoveries += 1 }
            let entries = try store.loadEntries()
            let report = LedgerVerifier.verify(entries, evolution: Self.evolution)
            #expect(report.isValid, "trial \(trial): \(report.violation.map(String.init(describing:)) ?? "")")
            // Exactly once: ids are op-0, op-1, ... in order, none twice, none skipped.
            #expect(entries.map(\.id) == entries.indices.map { "op-\($0)" }, "trial \(trial)")
            // Nothing acknowledged was lost.
            #expect(entries.count >= acknowledgedMax, "trial \(trial): acknowledged seq \(acknowledgedMax), found \(entries.count)")
        }
        // The trials must have exercised appends and torn tails, or they proved little.
        let store = try FileLedgerStore(directory: dir.path, evolution: Self.evolution)
        let total = try store.loadEntries().count
        store.close()
        #expect(total > trials * 5, "only \(total) entries over \(trials) trials")
        #expect(recoveries > 0, "no trial left a torn tail to recover")
        print("crash test: \(trials) SIGKILLs, \(total) entries, \(recoveries) torn tails cut")
    }
}
