/// apimachinery's label selector lexer and recursive-descent parser (`labels/selector.go`),
/// kept close to the original so error messages match.
struct LabelSelectorParser {
    enum Token: Equatable {
        case identifier, doesNotExist, notEquals, openParen, closedParen, comma, equals, doubleEquals
        case greaterThan, lessThan, `in`, notIn, end, error
    }

    /// Whether `in`/`notin` are keywords (after a key) or plain identifiers (everywhere else).
    enum Context { case keyAndOperator, values }

    private var items: [(token: Token, literal: String)] = []
    private var position = 0

    init(_ text: String) {
        items = Self.scan(Array(text.utf8))
    }

    private static let symbols: [String: Token] = [
        "!": .doesNotExist, "!=": .notEquals, "(": .openParen, ")": .closedParen, ",": .comma,
        "=": .equals, "==": .doubleEquals, ">": .greaterThan, "<": .lessThan,
    ]

    private static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
    private static func isSpecial(_ c: UInt8) -> Bool { "=!(),><".utf8.contains(c) }

    private static func scan(_ bytes: [UInt8]) -> [(token: Token, literal: String)] {
        var out: [(token: Token, literal: String)] = []
        var i = 0
        while true {
            while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
            guard i < bytes.count else { out.append((.end, "")); return out }
            if isSpecial(bytes[i]) {
                var buffer: [UInt8] = []
                var last: (token: Token, literal: String)?
                while i < bytes.count, isSpecial(bytes[i]) {
                    buffer.append(bytes[i])
                    if let token = symbols[String(decoding: buffer, as: UTF8.self)] {
                        last = (token, String(decoding: buffer, as: UTF8.self))
                        i += 1
                    } else if last != nil {
                        break
                    } else {
                        i += 1
                    }
                }
                guard let last else {
                    out.append((.error, "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'"))
                    return out + [(.end, "")]
                }
                out.append(last)
            } else {
                let start = i
                while i < bytes.count, !isWhitespace(bytes[i]), !isSpecial(bytes[i]) { i += 1 }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                switch word {
                case "in": out.append((.in, word))
                case "notin": out.append((.notIn, word))
                default: out.append((.identifier, word))
                }
            }
        }
    }

    private func lookahead(_ context: Context) -> (token: Token, literal: String) {
        var item = items[min(position, items.count - 1)]
        if context == .values, item.token == .in || item.token == .notIn { item.token = .identifier }
        return item
    }

    private mutating func consume(_ context: Context) -> (token: Token, literal: String) {
        let item = lookahead(context)
        if position < items.count - 1 { position += 1 }
        return item
    }

    mutating func parse() throws(SelectorError) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let (token, literal) = lookahead(.values)
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw SelectorError(message: "unable to parse requirement: " + error.message)
                }
                let (next, nextLiteral) = consume(.values)
                switch next {
                case .end:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead(.values)
                    if after != .identifier && after != .doesNotExist {
                        throw SelectorError(message: "found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw SelectorError(message: "found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .end:
                return requirements
            default:
                throw SelectorError(message: "found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(SelectorError) -> LabelSelector.Requirement {
        var (token, literal) = consume(.values)
        var op: LabelSelector.Operator?
        if token == .doesNotExist {
            op = .doesNotExist
            (token, literal) = consume(.values)
        }
        guard token == .identifier else {
            throw SelectorError(message: "found '\(literal)', expected: identifier")
        }
        let key = literal
        let keyErrors = NameValidation.qualifiedName(key)
        if !keyErrors.isEmpty {
            // apimachinery validates against the parser's (nil) field path here, hence the bare ": ".
            throw SelectorError(message: ": Invalid value: \(GoFormat.quote(key)): " + keyErrors.joined(separator: "; "))
        }
        let next = lookahead(.values).token
        if next == .end || next == .comma {
            return try LabelSelector.requirement(key, op ?? .exists, [])
        }
        if op == .doesNotExist {
            return try LabelSelector.requirement(key, .doesNotExist, [])
        }
        let binary = try parseOperator()
        let values: [String]
        switch binary {
        case .in, .notIn: values = try parseValues()
        default: values = try parseExactValue()
        }
        return try LabelSelector.requirement(key, binary, values)
    }

    private mutating func parseOperator() throws(SelectorError) -> LabelSelector.Operator {
        let (token, literal) = consume(.keyAndOperator)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default: throw SelectorError(message: "found '\(literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    private mutating func parseValues() throws(SelectorError) -> [String] {
        let (token, literal) = consume(.values)
        guard token == .openParen else { throw SelectorError(message: "found '\(literal)' expected: '('") }
        let (next, nextLiteral) = lookahead(.values)
        switch next {
        case .identifier, .comma:
            let values = try parseIdentifiersList()
            if consume(.values).token != .closedParen {
                throw SelectorError(message: "found '\(nextLiteral)', expected: ')'")
            }
            return values
        case .closedParen:
            _ = consume(.values)
            return [""]
        default:
            throw SelectorError(message: "found '\(nextLiteral)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifiersList() throws(SelectorError) -> [String] {
        var values: [String] = []
        while true {
            let (token, literal) = consume(.values)
            switch token {
            case .identifier:
                values.append(literal)
                let (next, nextLiteral) = lookahead(.values)
                switch next {
                case .comma: continue
                case .closedParen: return values
                default: throw SelectorError(message: "found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if values.isEmpty { values.append("") }
                let next = lookahead(.values).token
                if next == .closedParen {
                    values.append("")
                    return values
                }
                if next == .comma {
                    _ = consume(.values)
                    values.append("")
                }
            default:
                throw SelectorError(message: "found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(SelectorError) -> [String] {
        let next = lookahead(.values).token
        if next == .end || next == .comma { return [""] }
        let (token, literal) = consume(.values)
        guard token == .identifier else { throw SelectorError(message: "found '\(literal)', expected: identifier") }
        return [literal]
    }
}
