/// A JSON text that could not be parsed, with the place it went wrong.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. "unterminated string".
    public let reason: String
    /// Zero-based byte offset into the input.
    public let offset: Int
    /// One-based line and column (column counts bytes).
    public let line: Int
    public let column: Int

    public var description: String { "invalid JSON at line \(line), column \(column) (byte \(offset)): \(reason)" }

    init(_ reason: String, at offset: Int, in input: UnsafeBufferPointer<UInt8>) {
        self.reason = reason
        self.offset = offset
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, input.count) where input[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        self.line = line
        self.column = offset - lineStart + 1
    }
}
