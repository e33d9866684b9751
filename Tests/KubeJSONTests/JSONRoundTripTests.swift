import Testing
@testable import KubeJSON

/// Property: for random values, `parse(serialize(v)) == v`, and the text is stable.
struct JSONRoundTripTests {
    @Test func randomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<2_000 {
            let value = RandomJSON.value(depth: 0, using: &rng)
            let text = value.serialized()
            let back = try JSON.parse(text)
            #expect(back == value, "\(value)")
            #expect(back.serialized() == text)
            let pretty = try JSON.parse(value.prettyString())
            #expect(pretty == value)
        }
    }

    @Test func doublesRoundTripBitForBit() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let back = try JSON.parse(JSON.double(d).serialized())
            #expect(back.doubleValue == d, "\(d)")
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static func value(depth: Int, using rng: inout SplitMix64) -> JSON {
        let choice = Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &rng)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : 0.25)
        case 4: return .string(string(using: &rng))
        case 5:
            return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(depth: depth + 1, using: &rng) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                object.set(string(using: &rng), value(depth: depth + 1, using: &rng))
            }
            return .object(object)
        }
    }

    static let alphabet: [Character] = Array("abcXYZ09 _-\"\\/\n\t\u{0}\u{1f}é中😀\u{2028}")

    static func string(using rng: inout SplitMix64) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }
}
