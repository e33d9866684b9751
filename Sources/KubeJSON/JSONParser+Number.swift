#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact powers of ten a `Double` can hold (10^0 ... 10^22).
private let exactPowersOfTen: [Double] = (0...22).map { (e: Int) -> Double in
    var p = 1.0
    for _ in 0..<e { p *= 10 }
    return p
}

extension JSONParser {
    /// Parses a number per RFC 8259's grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = pos
        var i = pos
        let negative = input[i] == UInt8(ascii: "-")
        if negative { i += 1 }

        // Digits accumulate into `mantissa` while they fit (19 always fit in UInt64);
        // anything longer goes to strtod.
        let intStart = i
        var mantissa: UInt64 = 0
        var significant = 0
        var truncated = false
        var fractionDigits = 0
        while i < input.count, isDigit(input[i]) {
            accumulate(input[i], &mantissa, &significant, &truncated)
            i += 1
        }
        if i == intStart { throw error("expected a digit", at: i) }
        if i - intStart > 1, input[intStart] == UInt8(ascii: "0") { throw error("leading zeros are not allowed in numbers", at: intStart) }

        var hasFraction = false
        if i < input.count, input[i] == UInt8(ascii: ".") {
            hasFraction = true
            i += 1
            let fractionStart = i
            while i < input.count, isDigit(input[i]) {
                accumulate(input[i], &mantissa, &significant, &truncated)
                if !truncated { fractionDigits += 1 }
                i += 1
            }
            if i == fractionStart { throw error("expected a digit after '.'", at: i) }
        }
        var exponent = 0
        var hasExponent = false
        if i < input.count, input[i] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            i += 1
            var expNegative = false
            if i < input.count, input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-") {
                expNegative = input[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < input.count, isDigit(input[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(input[i] - 48) }
                i += 1
            }
            if i == expStart { throw error("expected a digit in the exponent", at: i) }
            if expNegative { exponent = -exponent }
        }
        pos = i

        if !hasFraction, !hasExponent, !truncated {
            if negative {
                if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Clinger's fast path: both the digits and the power of ten are exact doubles.
        let power = exponent - fractionDigits
        if !truncated, mantissa < (1 << 53), abs(power) <= 22 {
            var d = Double(mantissa)
            d = power < 0 ? d / exactPowersOfTen[-power] : d * exactPowersOfTen[power]
            return .double(negative ? -d : d)
        }
        return .double(try slowDouble(from: start, to: i))
    }

    @inline(__always)
    func accumulate(_ digit: UInt8, _ mantissa: inout UInt64, _ significant: inout Int, _ truncated: inout Bool) {
        if significant < 19 {
            mantissa = mantissa &* 10 &+ UInt64(digit &- 48)
            if mantissa != 0 { significant += 1 }
        } else {
            truncated = true
        }
    }

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// Correctly rounded conversion for the rare numbers the fast path cannot do exactly.
    func slowDouble(from start: Int, to end: Int) throws(JSONParseError) -> Double {
        let length = end - start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double in
            for k in 0..<length { buffer[k] = CChar(bitPattern: input[start + k]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        guard value.isFinite else { throw error("number out of range for a 64-bit float", at: start) }
        return value
    }
}
