import Testing
import KubeJSON
@testable import KubeYAML

struct YAMLParseTests {
    @Test func keepsDocumentKeyOrder() throws {
        let value = try YAML.parse("z: 1\na: 2\nm: {x: 1, b: 2}\n")
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.keys == ["x", "b"])
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        let error = #expect(throws: YAMLError.self) { try YAML.parse("a: 1\nb:\n  - x\n  y: 2\n") }
        #expect(error?.line == 4)
        #expect(error?.column == 3)
    }

    @Test func duplicateKeysNameBothLines() {
        let error = #expect(throws: YAMLError.self) { try YAML.parse("a: 1\nb: 2\na: 3\n") }
        #expect(error?.line == 3)
        #expect(error?.reason.contains("already defined at line 1") == true)
    }

    @Test func nonFiniteValuesAreRejectedWithTheirPlace() {
        let error = #expect(throws: YAMLError.self) { try YAML.parse("spec:\n  ratio: .inf\n") }
        #expect(error?.line == 2)
        #expect(error?.column == 10)
    }

    @Test func errorsInLaterDocumentsNameTheDocument() {
        let error = #expect(throws: YAMLError.self) { try YAML.parseStream("a: 1\n---\nb: [1\n") }
        #expect(error?.document == 1)
        #expect(error?.description.contains("document 2") == true)
    }

    @Test func mergeKeysFollowKubectl() throws {
        let text = """
            base: &base {a: 1, b: 1}
            other: &other {b: 2, c: 2}
            before: {a: 0, <<: *base}
            after: {<<: *base, a: 9}
            list: {<<: [*base, *other]}
            """
        let value = try YAML.parse(text)
        #expect(value["before"] == ["a": 1, "b": 1])
        #expect(value["after"] == ["a": 9, "b": 1])
        #expect(value["list"] == ["a": 1, "b": 1, "c": 2])
    }

    @Test func aliasBombsStopAtTheNodeLimit() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let error = #expect(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error?.reason.contains("too many nodes") == true)
    }

    @Test func jsonInputIsReadAsJSON() throws {
        #expect(try YAML.parse(#"  {"a": [1, 2.5, "on"]}"#) == ["a": [1, 2.5, "on"]])
        #expect(throws: YAMLError.self) { try YAML.parse("{a: 1}") }
    }

    @Test func emptyStreamsHaveNoDocuments() throws {
        #expect(try YAML.parseStream("").isEmpty)
        #expect(try YAML.parseStream("# just a comment\n---\n").isEmpty)
        #expect(try YAML.parse("") == .null)
        #expect(throws: YAMLError.self) { try YAML.parse("a: 1\n---\nb: 2\n") }
    }
}
