import EvolutionAPI
import KubeJSON
import KubeYAML
import Testing

/// Decodes `spec` written as YAML.
func decodeSpec(_ yaml: String) throws -> EvolutionSpec {
    try EvolutionSpec(json: try YAML.parse(yaml))
}

/// The issues a spec written as YAML produces (empty when valid).
func issues(_ yaml: String) throws -> [String] {
    do {
        _ = try EvolutionSpec(json: try YAML.parse(yaml))
        return []
    } catch let error as SpecValidationError {
        return error.issues.map(\.description)
    }
}

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/EvolutionAPITests/Support.swift
    return parts.joined(separator: "/")
}()

func readFile(_ relative: String) throws -> String {
    let path = repositoryRoot + "/" + relative
    guard let file = fopen(path, "r") else { throw FileMissing(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

struct FileMissing: Error { let path: String }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compares the issues of a spec with the expected messages, showing both on mismatch.
func expectIssues(_ yaml: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let found = try issues(yaml)
    if found != expected {
        Issue.record("issues differ.\nfound:\n\(found.joined(separator: "\n"))\nexpected:\n\(expected.joined(separator: "\n"))",
                     sourceLocation: sourceLocation)
    }
}
