internal import CYAML

/// One libyaml parser over an owned copy of the input, yielding events as Swift values.
///
/// libyaml's parser struct points into itself, so it lives on the heap and is
/// never moved; the input copy lives exactly as long as the parser.
final class LibYAMLParser {
    enum Event {
        case streamStart, streamEnd
        case documentStart, documentEnd
        case alias(anchor: String, at: YAMLMark)
        case scalar(value: String, anchor: String?, tag: String?, plain: Bool, at: YAMLMark)
        case sequenceStart(anchor: String?, tag: String?, at: YAMLMark)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?, at: YAMLMark)
        case mappingEnd
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>

    init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    func next() throws(YAMLError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        let at = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "", at: at)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            return .scalar(value: value, anchor: string(s.anchor), tag: string(s.tag),
                           plain: s.style == YAML_PLAIN_SCALAR_STYLE && s.plain_implicit == 1, at: at)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(anchor: string(s.anchor), tag: string(s.tag), at: at)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return .mappingStart(anchor: string(m.anchor), tag: string(m.tag), at: at)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: throw YAMLError("unexpected libyaml event \(event.type.rawValue)")
        }
    }

    private func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: $0) }
    }

    private func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown libyaml error"
        let context = p.context.map { String(cString: $0) }
        let reason = context.map { "\($0): \(problem)" } ?? problem
        return YAMLError(reason, line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
    }
}
