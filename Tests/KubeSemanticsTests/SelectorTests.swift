import KubeJSON
import Testing

@testable import KubeSemantics

@Suite struct LabelSelectorTests {
    let labels = ["app": "web", "tier": "front", "size": "4", "env": "prod"]

    @Test func everyOperatorMatches() throws {
        let cases: [(String, Bool)] = [
            ("app=web", true), ("app==web", true), ("app=db", false),
            ("app!=db", true), ("app!=web", false), ("missing!=x", true),
            ("tier in (front,back)", true), ("tier in (back)", false), ("missing in (x)", false),
            ("tier notin (back)", true), ("tier notin (front)", false), ("missing notin (x)", true),
            ("app", true), ("missing", false), ("!missing", true), ("!app", false),
            ("size>3", true), ("size>4", false), ("size<5", true), ("size<4", false),
            ("app>3", false), ("missing<3", false),
            ("app=web,tier in (front),!missing,size>1", true), ("app=web,env=dev", false),
            ("", true), ("  app = web ,  tier  in  ( front , back ) ", true),
            ("app in (web,in,notin)", true), ("example.com/app!=x", true),
        ]
        for (text, expected) in cases {
            let selector = try LabelSelector(parsing: text)
            #expect(selector.matches(labels) == expected, "\(text)")
        }
    }

    @Test func requirementsAreParsedAndSortedByKey() throws {
        let selector = try LabelSelector(parsing: "z=1,a in (y,x,x),!b,c")
        #expect(selector.requirements.map(\.key) == ["a", "b", "c", "z"])
        #expect(selector.requirements[0].values == ["x", "y"])
        #expect(selector.requirements[1].operator == .doesNotExist)
        #expect(selector.requirements[2].operator == .exists)
        #expect(selector.description == "a in (x,y),!b,c,z=1")
        #expect(try LabelSelector(parsing: "b=1,a=2") == LabelSelector(parsing: "a=2,b=1"))
        #expect(try LabelSelector(parsing: "") == .everything)
        #expect(try LabelSelector(parsing: "a in ()").requirements[0].values == [""])
        #expect(try LabelSelector(parsing: "a=").matches(["a": ""]))
    }

    @Test func parseErrorsMatchTheServer() {
        let cases: [(String, String)] = [
            ("app label", "unable to parse requirement: found 'label', expected: in, notin, =, ==, !=, gt, lt"),
            ("app=web,", "found '', expected: identifier after ','"),
            ("app=web tier", "found 'tier', expected: ',' or 'end of string'"),
            ("=web", "found '=', expected: !, identifier, or 'end of string'"),
            ("app in web", "unable to parse requirement: found 'web' expected: '('"),
            ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
            ("app=(", "unable to parse requirement: found '(', expected: identifier"),
            ("size>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
            ("!app=web", "found '=', expected: ',' or 'end of string'"),
        ]
        for (text, message) in cases {
            #expect(throws: SelectorError(message: message), "\(text)") { try LabelSelector(parsing: text) }
        }
    }

    @Test func keyAndValueValidation() {
        #expect(throws: SelectorError(message: "unable to parse requirement: : Invalid value: \"-app\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")) {
            try LabelSelector(parsing: "-app=web")
        }
        do {
            _ = try LabelSelector(parsing: "app=-web")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be an empty string"))
        }
        do {
            _ = try LabelSelector(parsing: "Bad_Prefix/app=web")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("prefix part a lowercase RFC 1123 subdomain must consist of"))
        }
        let long = String(repeating: "a", count: 64)
        #expect(throws: SelectorError.self) { try LabelSelector(parsing: "app=\(long)") }
    }

    @Test func fromLabelSelectorObject() throws {
        let object: JSON = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "tier", "operator": "In", "values": ["front", "back"]],
                ["key": "legacy", "operator": "DoesNotExist"],
                ["key": "env", "operator": "Exists"],
                ["key": "zone", "operator": "NotIn", "values": ["b"]],
            ],
        ]
        let selector = try LabelSelector(object: object)
        #expect(selector.matches(labels))
        #expect(!selector.matches(["app": "web", "tier": "front"]))
        #expect(try LabelSelector(object: [:]).matches([:]))
        #expect(try !LabelSelector(object: .null).matches([:]))
        #expect(throws: SelectorError(message: "\"Like\" is not a valid label selector operator")) {
            try LabelSelector(object: ["matchExpressions": [["key": "a", "operator": "Like"]]])
        }
        #expect(throws: SelectorError(message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty")) {
            try LabelSelector(object: ["matchExpressions": [["key": "a", "operator": "In", "values": []]]])
        }
        #expect(selector.matches(object: ["metadata": ["labels": .object(["app": "web", "tier": "back", "env": "x"])]]))
    }
}

@Suite struct FieldSelectorTests {
    @Test func nameAndNamespace() throws {
        let selector = try FieldSelector(parsing: "metadata.name=cm1,metadata.namespace!=kube-system",
                                         kindDescription: "ConfigMap", isCustomResource: false)
        #expect(selector.matches(name: "cm1", namespace: "default"))
        #expect(!selector.matches(name: "cm1", namespace: "kube-system"))
        #expect(!selector.matches(name: "cm2", namespace: "default"))
        #expect(try FieldSelector(parsing: "metadata.name==a", kindDescription: "Gadget", isCustomResource: true)
            .matches(name: "a", namespace: nil))
        #expect(try FieldSelector(parsing: "metadata.namespace=", kindDescription: "Namespace", isCustomResource: false)
            .matches(name: "ns", namespace: nil))
        #expect(try FieldSelector(parsing: "", kindDescription: "ConfigMap", isCustomResource: false) == .everything)
        #expect(try FieldSelector(parsing: "metadata.name=a\\,b", kindDescription: "ConfigMap", isCustomResource: false)
            .matches(name: "a,b", namespace: nil))
    }

    @Test func unknownFieldsInBothStyles() {
        #expect(throws: SelectorError(message: "\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")) {
            try FieldSelector(parsing: "data.k=v", kindDescription: "ConfigMap", isCustomResource: false)
        }
        #expect(throws: SelectorError(message: "field label not supported: spec.a")) {
            try FieldSelector(parsing: "spec.a=1", kindDescription: "Gadget", isCustomResource: true)
        }
        #expect(throws: SelectorError(message: "invalid selector: 'metadata.name'; can't understand 'metadata.name'")) {
            try FieldSelector(parsing: "metadata.name", kindDescription: "Gadget", isCustomResource: true)
        }
    }
}
