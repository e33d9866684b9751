import Testing
@testable import KubeJSON

/// Cases in the spirit of JSONTestSuite: `y_` texts must parse, `n_` texts must be rejected.
struct JSONConformanceTests {
    static let mustAccept: [(String, String)] = [
        ("y_array_empty", "[]"),
        ("y_array_nested", "[[[[]]]]"),
        ("y_array_with_whitespace", " [ 1 , 2 ] "),
        ("y_object_empty", "{}"),
        ("y_object_duplicate_key", #"{"a":1,"a":2}"#),
        ("y_object_empty_key", #"{"":0}"#),
        ("y_number_negative_zero", "-0"),
        ("y_number_exponent_capital", "1E22"),
        ("y_number_exponent_plus", "1e+2"),
        ("y_number_real_neg_exp", "1e-2"),
        ("y_number_fraction", "123.456e78"),
        ("y_number_very_long", "0.00000000000000000000000000000000000000000000000000000000000000000000000001"),
        ("y_number_int64_min", "-9223372036854775808"),
        ("y_number_int64_max", "9223372036854775807"),
        ("y_number_beyond_int64", "9223372036854775808"),
        ("y_string_escapes", #""\"\\\/\b\f\n\r\t""#),
        ("y_string_unicode_escape", #""\u00e9\u4e2d""#),
        ("y_string_surrogate_pair", #""\uD83D\uDE00""#),
        ("y_string_nul_escape", #""\u0000""#),
        ("y_string_utf8", "\"héllo 中文 😀\""),
        ("y_string_del", "\"\u{7f}\""),
        ("y_structure_lonely_true", "true"),
        ("y_structure_lonely_null", "null"),
        ("y_structure_whitespace_all", "\t\r\n [ ] \t\r\n"),
    ]

    static let mustReject: [(String, String)] = [
        ("n_empty", ""),
        ("n_whitespace_only", "  "),
        ("n_array_trailing_comma", "[1,]"),
        ("n_array_missing_value", "[,1]"),
        ("n_array_unclosed", "[1"),
        ("n_array_extra_close", "[1]]"),
        ("n_object_trailing_comma", #"{"a":1,}"#),
        ("n_object_unquoted_key", "{a:1}"),
        ("n_object_single_quote", "{'a':1}"),
        ("n_object_missing_colon", #"{"a" 1}"#),
        ("n_object_non_string_key", "{1:1}"),
        ("n_object_unclosed", #"{"a":1"#),
        ("n_number_leading_zero", "01"),
        ("n_number_plus", "+1"),
        ("n_number_dot_start", ".5"),
        ("n_number_dot_end", "1."),
        ("n_number_exp_empty", "1e"),
        ("n_number_exp_sign_only", "1e+"),
        ("n_number_minus_only", "-"),
        ("n_number_hex", "0x1F"),
        ("n_number_infinity", "Infinity"),
        ("n_number_nan", "NaN"),
        ("n_number_too_big", "1e400"),
        ("n_number_minus_space", "- 1"),
        ("n_string_unterminated", #""abc"#),
        ("n_string_control_char", "\"a\u{01}b\""),
        ("n_string_raw_newline", "\"a\nb\""),
        ("n_string_bad_escape", #""\x41""#),
        ("n_string_short_unicode", #""\u12""#),
        ("n_string_bad_hex", #""\u12G4""#),
        ("n_string_lone_high_surrogate", #""\uD800""#),
        ("n_string_lone_low_surrogate", #""\uDC00""#),
        ("n_string_high_then_nonlow", #""\uD800\u0041""#),
        ("n_literal_truncated", "tru"),
        ("n_literal_capital", "True"),
        ("n_literal_trailing_garbage", "nullx"),
        ("n_trailing_garbage", "{} x"),
        ("n_two_values", "1 2"),
        ("n_comment", "[1] // c"),
    ]

    @Test(arguments: mustAccept)
    func accepts(_ testCase: (String, String)) throws {
        _ = try JSON.parse(testCase.1)
    }

    @Test(arguments: mustReject)
    func rejects(_ testCase: (String, String)) {
        #expect(throws: JSONParseError.self, "\(testCase.0) must be rejected") { try JSON.parse(testCase.1) }
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],              // invalid byte
            [0x22, 0xC3, 0x22],              // truncated 2-byte sequence
            [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong encoding
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // after an escape
        ]
        for bytes in cases {
            #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
        }
    }

    @Test func rejectsNestingBeyondTheLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        #expect(error?.reason.contains("nesting") == true)
        _ = try JSON.parse(deep, maxDepth: 600)
    }

    @Test func errorsNameByteLineAndColumn() {
        let text = "{\n  \"a\": 1,\n  \"b\": tru\n}"
        let error = #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        #expect(error?.line == 3)
        #expect(error?.column == 8)
        #expect(error?.offset == 19)
        #expect(error?.description.contains("line 3, column 8") == true)
    }
}
