import Testing
import TestSupport
@testable import KubeJSON

/// Property: for random values, `parse(serialize(v)) == v`, and the text is stable.
struct JSONRoundTripTests {
    static let pieces = ["a", "b", "c", "X", "Y", "Z", "0", "9", " ", "_", "-", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1f}",
                         "é", "中", "😀", "\u{2028}"]

    @Test func randomValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<2_000 {
            let value = RandomJSON.value(pieces: Self.pieces, using: &rng)
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
