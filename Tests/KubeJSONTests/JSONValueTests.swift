import Testing
@testable import KubeJSON

struct JSONValueTests {
    @Test func integersStayExact() throws {
        #expect(try JSON.parse("9223372036854775807") == .int(.max))
        #expect(try JSON.parse("-9223372036854775808") == .int(.min))
        guard case .int = try JSON.parse("42") else { Issue.record("42 must be an int"); return }
        guard case .double(let d) = try JSON.parse("9223372036854775808") else { Issue.record("beyond int64 must be a double"); return }
        #expect(d == 9223372036854775808.0)
    }

    @Test func doublesAreCorrectlyRounded() throws {
        let cases: [(String, Double)] = [
            ("0.1", 0.1), ("1.5e-3", 0.0015), ("123.456e78", 123.456e78),
            ("2.2250738585072014e-308", 2.2250738585072014e-308), ("5e-324", Double.leastNonzeroMagnitude),
            ("1.7976931348623157e308", 1.7976931348623157e308),
            ("0.30000000000000004", 0.30000000000000004),
            ("12345678901234567890.5", 12345678901234567890.5),
            ("-0.0000001", -0.0000001),
        ]
        for (text, expected) in cases {
            #expect(try JSON.parse(text).doubleValue == expected, "\(text)")
        }
    }

    @Test func escapesDecode() throws {
        #expect(try JSON.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{c}\n\r\t"))
        #expect(try JSON.parse(#""\uD83D\uDE00 \u00e9""#) == .string("😀 é"))
        #expect(try JSON.parse(#""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test func keyOrderIsPreserved() throws {
        let value = try JSON.parse(#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value.serializedString() == #"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let value = try JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.serializedString() == #"{"a":3,"b":2}"#)
    }

    @Test func duplicateKeysInLargeObjectsToo() throws {
        let members = (0..<20).map { #""k\#($0)":\#($0)"# } + [#""k3":"last""#, #""k19":null"#]
        let value = try JSON.parse("{" + members.joined(separator: ",") + "}")
        #expect(value.objectValue?.count == 20)
        #expect(value["k3"] == "last")
        #expect(value["k19"] == .null)
        #expect(value.objectValue?.keys[3] == "k3")
    }

    @Test func serializesNumbersLikeGo() {
        let cases: [(JSON, String)] = [
            (.double(1.0), "1"), (.double(-0.0), "-0"), (.double(0.5), "0.5"),
            (.double(1e20), "100000000000000000000"), (.double(1e21), "1e+21"),
            (.double(1e-6), "0.000001"), (.double(1e-7), "1e-7"), (.double(1.5e-10), "1.5e-10"),
            (.double(123456.789), "123456.789"), (.double(.leastNonzeroMagnitude), "5e-324"),
            (.double(1.7976931348623157e308), "1.7976931348623157e+308"),
            (.int(-42), "-42"), (.int(.min), "-9223372036854775808"), (.int(0), "0"),
            (.double(.nan), "null"),
        ]
        for (value, text) in cases { #expect(value.serializedString() == text) }
    }

    @Test func serializesEscapes() {
        let value: JSON = .string("q\" b\\ n\n t\t c\u{1} é 😀")
        #expect(value.serializedString() == #""q\" b\\ n\n t\t c\u0001 é 😀""#)
    }

    @Test func numericEqualityAcrossKinds() throws {
        #expect(JSON.int(1) == JSON.double(1.0))
        #expect(JSON.int(1).hashValue == JSON.double(1.0).hashValue)
        #expect(JSON.int(1) != JSON.double(1.5))
        #expect(JSON.int(1) != JSON.string("1"))
        // An integral double beyond 2^53 prints as digits that read back as a nearby int.
        let big = JSON.double(-1.3568896827243603e17)
        #expect(try JSON.parse(big.serialized()) == big)
        #expect(JSON.int(135_688_968_272_436_030).hashValue == JSON.double(1.3568896827243603e17).hashValue)
    }

    @Test func objectEqualityIgnoresOrder() {
        let a: JSON = ["x": 1, "y": [true, nil]]
        let b: JSON = ["y": [true, nil], "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }

    @Test func largeObjectsUseTheIndex() {
        var object = JSONObject()
        for i in 0..<100 { object.set("k\(i)", .int(Int64(i))) }
        #expect(object["k77"] == .int(77))
        object.remove("k10")
        #expect(object["k10"] == nil)
        #expect(object["k11"] == .int(11))
        #expect(object.count == 99)
        #expect(object.keys.first == "k0")
    }

    @Test func subscriptsReadAndWrite() {
        var value: JSON = ["metadata": ["name": "a"]]
        #expect(value[path: "metadata", "name"] == "a")
        value["kind"] = "ConfigMap"
        #expect(value["kind"]?.stringValue == "ConfigMap")
        #expect(value["missing"] == nil)
        #expect(JSON.array([1, 2])[1] == 2)
        #expect(JSON.array([1, 2])[5] == nil)
    }

    @Test func prettyPrints() {
        let value: JSON = ["a": [1, 2], "b": [:]]
        #expect(value.prettyString() == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }
}
