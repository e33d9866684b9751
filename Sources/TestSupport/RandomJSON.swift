import KubeJSON

/// Random JSON values for property tests: every kind, nested up to `maxDepth`,
/// strings drawn from `pieces` (pick pieces that stress the format under test).
public enum RandomJSON {
    public static func value(depth: Int = 0, maxDepth: Int = 4, maxWidth: Int = 5, pieces: [String],
                             using rng: inout SplitMix64) -> JSON {
        switch Int.random(in: 0..<(depth > maxDepth ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        case 3:
            let d = Double(bitPattern: rng.next())
            return .double(d.isFinite ? d : 0.25)
        case 4: return .string(string(pieces: pieces, using: &rng))
        case 5:
            return .array((0..<Int.random(in: 0...maxWidth, using: &rng)).map { _ in
                value(depth: depth + 1, maxDepth: maxDepth, maxWidth: maxWidth, pieces: pieces, using: &rng)
            })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...maxWidth, using: &rng) {
                object.set(string(pieces: pieces, using: &rng),
                           value(depth: depth + 1, maxDepth: maxDepth, maxWidth: maxWidth, pieces: pieces, using: &rng))
            }
            return .object(object)
        }
    }

    public static func string(pieces: [String], maxPieces: Int = 8, using rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...maxPieces, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }
}
