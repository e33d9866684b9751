import EvolutionAPI
import KubeJSON
import KubeYAML
import Testing

/// The CRD in Manifests/crd is written by hand; these tests hold it to the
/// Swift types, so the API server admits exactly what the decoder reads.
struct CRDSchemaTests {
    let crd: JSON
    let version: JSON
    let schema: JSON

    init() throws {
        crd = try YAML.parse(try readFile("Manifests/crd/evolution.yaml"))
        version = crd[path: "spec", "versions"]?[0] ?? .null
        schema = version[path: "schema", "openAPIV3Schema"] ?? .null
    }

    @Test func namesScopeAndSubresources() {
        #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1")
        #expect(crd[path: "metadata", "name"] == "evolutions.causeway.dev")
        #expect(crd[path: "spec", "group"] == "causeway.dev")
        #expect(crd[path: "spec", "scope"] == "Namespaced")
        #expect(crd[path: "spec", "names", "kind"]?.stringValue == Evolution.kind)
        #expect(crd[path: "spec", "names", "shortNames"] == ["evo"])
        #expect(crd[path: "spec", "names", "categories"] == ["causeway"])
        #expect("causeway.dev/" + (version["name"]?.stringValue ?? "") == Evolution.apiVersion)
        #expect(version[path: "subresources", "status"] == [:])
    }

    @Test func printerColumnsReadFieldsTheStatusWrites() throws {
        let columns = version["additionalPrinterColumns"]?.arrayValue ?? []
        #expect(columns.map { $0["name"]?.stringValue ?? "" } == ["Phase", "Current", "Converged", "Drifted", "Age", "Message"])
        let status = EvolutionStatus(phase: .progressing, currentSteps: "gateway-policy", progress: "2/4", drifted: 1, message: "m").json
        for column in columns {
            let path = column["jsonPath"]?.stringValue ?? ""
            guard path.hasPrefix(".status.") else { continue }
            #expect(JSONPath(path)?.evaluate(["status": status]) != nil, "\(path)")
        }
    }

    /// Every spec field the decoder knows is in the schema with the same type
    /// and enum, and the schema has no field the decoder would reject.
    @Test func specSchemaMatchesTheDecoder() {
        var problems: [String] = []
        compare(FieldShape.evolutionSpec, schema[path: "properties", "spec"] ?? .null, at: "spec", &problems)
        #expect(problems == [])
    }

    func compare(_ shape: FieldShape, _ node: JSON, at path: String, _ problems: inout [String]) {
        let type = node["type"]?.stringValue
        func expectType(_ wanted: String) {
            if type != wanted { problems.append("\(path): schema type \(type ?? "none"), decoder expects \(wanted)") }
        }
        switch shape {
        case .string:
            expectType("string")
            if node["enum"] != nil { problems.append("\(path): schema has an enum the decoder does not") }
        case .enumeration(let values):
            expectType("string")
            let schemaValues = (node["enum"]?.arrayValue ?? []).compactMap(\.stringValue)
            if Set(schemaValues) != Set(values) { problems.append("\(path): enum \(schemaValues) vs decoder \(values)") }
        case .duration:
            expectType("string")
            if node["pattern"] == nil { problems.append("\(path): a duration needs a pattern") }
        case .integer: expectType("integer")
        case .boolean: expectType("boolean")
        case .array(let element):
            expectType("array")
            compare(element, node["items"] ?? .null, at: path + "[]", &problems)
        case .object(let fields):
            expectType("object")
            let properties = node["properties"]?.objectValue ?? [:]
            for key in Set(fields.keys).union(properties.keys).sorted() {
                switch (fields[key], properties[key]) {
                case let (s?, p?): compare(s, p, at: path + "." + key, &problems)
                case (_?, nil): problems.append("\(path).\(key): decoded but missing from the schema (the API server would prune it)")
                case (nil, _?): problems.append("\(path).\(key): in the schema but unknown to the decoder")
                default: break
                }
            }
        case .embeddedObject:
            expectType("object")
            if node["x-kubernetes-embedded-resource"] != true || node["x-kubernetes-preserve-unknown-fields"] != true {
                problems.append("\(path): embedded objects need x-kubernetes-embedded-resource and x-kubernetes-preserve-unknown-fields")
            }
        case .anyValue:
            if type != nil || node["x-kubernetes-preserve-unknown-fields"] != true {
                problems.append("\(path): any value needs x-kubernetes-preserve-unknown-fields and no type")
            }
        }
    }

    /// Whatever status the engine writes survives the API server's pruning.
    @Test func statusSchemaCoversEveryStatusField() {
        let target = TargetState(name: "t", phase: .converging, attempts: 1, startedAt: Timestamp(secondsSinceEpoch: 1),
                                 appliedAt: Timestamp(secondsSinceEpoch: 2), passingSince: Timestamp(secondsSinceEpoch: 3),
                                 checkpoints: 2, convergedAt: Timestamp(secondsSinceEpoch: 4), retryAt: Timestamp(secondsSinceEpoch: 5),
                                 reason: "Forbidden", message: "m")
        let step = StepState(name: "s", contentHash: "h", phase: .progressing, acknowledgedBy: "u",
                             acknowledgedAt: Timestamp(secondsSinceEpoch: 6), message: "m", targets: [target])
        let status = EvolutionStatus(
            observedGeneration: 1, phase: .halted,
            conditions: [StatusCondition(type: "Ready", status: false, reason: "r", message: "m", observedGeneration: 1,
                                         lastTransitionTime: Timestamp(secondsSinceEpoch: 7))],
            currentSteps: "s", progress: "0/1", drifted: 0, message: "m", steps: [step],
            halt: HaltRecord(step: "s", target: "t", reason: "r", message: "m", at: Timestamp(secondsSinceEpoch: 8)),
            refusal: RefusalRecord(reason: .forbidden, message: "m", step: "s", target: "t"),
            compensation: CompensationState(phase: .progressing, failedStep: "s", scope: ["t"], generation: 1, steps: [step]),
            lastRetryToken: "x", ledger: LedgerSummary(backend: "configmap", entries: 3, headHash: "abc", segment: "s", keyID: "k", signature: "sig"))
        var missing: [String] = []
        covered(status.json, by: schema[path: "properties", "status"] ?? .null, at: "status", &missing)
        #expect(missing == [])
    }

    func covered(_ value: JSON, by node: JSON, at path: String, _ missing: inout [String]) {
        switch value {
        case .object(let o):
            for (k, v) in o {
                guard let child = node[path: "properties", k] else { missing.append("\(path).\(k)"); continue }
                covered(v, by: child, at: path + "." + k, &missing)
            }
        case .array(let a):
            for v in a { covered(v, by: node["items"] ?? .null, at: path + "[]", &missing) }
        case .int: if node["type"] != "integer" { missing.append("\(path): integer") }
        case .string: if node["type"] != "string" { missing.append("\(path): string") }
        default: break
        }
    }

    /// The admission pattern for durations accepts only what the parser accepts.
    @Test func durationPatternAgreesWithTheParser() throws {
        let node = schema[path: "properties", "spec", "properties", "steps", "items", "properties", "converge", "properties", "timeout"]
        let pattern = try #require(node?["pattern"]?.stringValue)
        let regex = try Regex(pattern)
        for text in ["30s", "5m", "1h30m", "250ms", "1.5s", "0", "100µs", "2h45m30.5s"] {
            #expect(text.wholeMatch(of: regex) != nil, "\(text)")
            #expect(GoDuration(parsing: text) != nil, "\(text)")
        }
        for text in ["10x", "", "1h 30m", "5M", "-1s", "1e3s", "10"] {
            #expect(text.wholeMatch(of: regex) == nil, "\(text)")
        }
    }

    @Test func listsAreMapsKeyedByName() {
        let spec = schema[path: "properties", "spec", "properties"] ?? .null
        for list in [spec["steps"], spec["targets"], spec[path: "onFailure", "properties", "compensation"]] {
            #expect(list?["x-kubernetes-list-type"] == "map")
            #expect(list?["x-kubernetes-list-map-keys"] == ["name"])
            #expect(list?[path: "items", "required"] == ["name"])
        }
        #expect(schema[path: "properties", "spec", "required"] == ["steps"])
    }
}
