import KubeJSON
import Testing

@testable import KubeSemantics

private func j(_ text: String) throws -> JSON { try JSON.parse(text) }

@Suite struct MergePatchTests {
    /// RFC 7386 Appendix A, every row.
    @Test func rfc7386AppendixA() throws {
        let rows: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, #"null"#, #"null"#),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (original, patch, result) in rows {
            #expect(MergePatch.apply(try j(patch), to: try j(original)) == (try j(result)), "\(original) + \(patch)")
        }
    }

    @Test func diffRoundTrips() throws {
        let original = try j(#"{"spec":{"replicas":1,"keep":true,"gone":"x","list":[1,2]},"status":{"a":1}}"#)
        let modified = try j(#"{"spec":{"replicas":3,"keep":true,"list":[1,2,3],"new":{"x":1}},"status":{"a":1}}"#)
        let patch = MergePatch.diff(from: original, to: modified)
        #expect(patch == (try j(#"{"spec":{"replicas":3,"gone":null,"list":[1,2,3],"new":{"x":1}}}"#)))
        #expect(MergePatch.apply(patch, to: original) == modified)
        #expect(MergePatch.diff(from: original, to: original) == [:])
    }
}

@Suite struct JSONPatchTests {
    private func check(_ doc: String, _ ops: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try JSONPatch.apply(try j(ops), to: try j(doc)) == (try j(expected)), sourceLocation: sourceLocation)
    }

    private func fails(_ doc: String, _ ops: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document = try j(doc), operations = try j(ops)
        #expect(throws: PatchError.self, sourceLocation: sourceLocation) { try JSONPatch.apply(operations, to: document) }
    }

    /// RFC 6902 Appendix A.1–A.16 (A.13, a duplicate key in the patch text, is a parser matter).
    @Test func rfc6902AppendixA() throws {
        try check(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#)
        try check(#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#)
        try check(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#)
        try check(#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#)
        try check(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#)
        try check(#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
                  #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
                  #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)
        try check(#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
                  #"{"foo":["all","cows","eat","grass"]}"#)
        try check(#"{"baz":"qux","foo":["a",2,"c"]}"#,
                  #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
                  #"{"baz":"qux","foo":["a",2,"c"]}"#)
        try fails(#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#)
        try check(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
                  #"{"foo":"bar","child":{"grandchild":{}}}"#)
        try check(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#)
        try fails(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#)
        try check(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#)
        try fails(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#)
        try check(#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#)
    }

    @Test func kubernetesStyleOperations() throws {
        try check(#"{"spec":{"list":[1]}}"#, #"[{"op":"add","path":"/spec/list/-","value":2}]"#, #"{"spec":{"list":[1,2]}}"#)
        try check(#"{"metadata":{"labels":{"a/b":"x"}}}"#, #"[{"op":"replace","path":"/metadata/labels/a~1b","value":"y"}]"#,
                  #"{"metadata":{"labels":{"a/b":"y"}}}"#)
        try check(#"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#, #"{"a":{"b":1},"c":{"b":1}}"#)
        try check(#"{"a":1}"#, #"[{"op":"replace","path":"","value":[1]}]"#, #"[1]"#)
        try check(#"{"a":3}"#, #"[{"op":"test","path":"/a","value":3.0}]"#, #"{"a":3}"#)
        try fails(#"{"a":1}"#, #"[{"op":"remove","path":"/b"}]"#)
        try fails(#"{"a":1}"#, #"[{"op":"replace","path":"/b","value":1}]"#)
        try fails(#"{"a":[1]}"#, #"[{"op":"add","path":"/a/2","value":1}]"#)
        try fails(#"{"a":[1]}"#, #"[{"op":"add","path":"/a/01","value":1}]"#)
        try fails(#"{"a":{"b":1}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#)
        try fails(#"{"a":1}"#, #"[{"op":"frobnicate","path":"/a"}]"#)
        try fails(#"{"a":1}"#, #"{"op":"add","path":"/a","value":1}"#)
        // A failing operation leaves nothing half-applied: the caller keeps its original.
        try fails(#"{"a":1}"#, #"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}]"#)
    }
}
