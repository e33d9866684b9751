internal import CYAML
import KubeJSON

extension YAML {
    /// YAML text for one or more documents (block style, two-space indent,
    /// keys in the objects' order). Strings that Kubernetes would read back as
    /// something else (`yes`, `0755`, `1e3`, `~`, timestamps, `<<`) are quoted,
    /// multi-line strings use literal blocks, so `parse(emit(v)) == v`.
    public static func emit(_ documents: [JSON]) throws(YAMLError) -> String {
        let emitter = LibYAMLEmitter()
        try emitter.emit(documents)
        return String(decoding: emitter.output.bytes, as: UTF8.self)
    }

    public static func emit(_ document: JSON) throws(YAMLError) -> String {
        try emit([document])
    }

    /// Whether a plain scalar with this text would be read back as anything but this string.
    public static func needsQuoting(_ s: String) -> Bool {
        if case .string = YAMLScalarResolver.resolvePlain(s) {
            return s == "<<" || YAMLScalarResolver.looksLikeTimestamp(s)
        }
        return true
    }
}

/// One libyaml emitter writing into an in-memory buffer.
final class LibYAMLEmitter {
    final class Output { var bytes: [UInt8] = [] }

    let output = Output()
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>

    init() {
        emitter = .allocate(capacity: 1)
        yaml_emitter_initialize(emitter)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_output(emitter, { data, buffer, size in
            let output = Unmanaged<Output>.fromOpaque(data!).takeUnretainedValue()
            output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(output).toOpaque())
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    func emit(_ documents: [JSON]) throws(YAMLError) {
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        try send(&event)
        for document in documents {
            yaml_document_start_event_initialize(&event, nil, nil, nil, documents.count > 1 ? 0 : 1)
            try send(&event)
            try emitNode(document)
            yaml_document_end_event_initialize(&event, 1)
            try send(&event)
        }
        yaml_stream_end_event_initialize(&event)
        try send(&event)
    }

    private func send(_ event: inout yaml_event_t) throws(YAMLError) {
        guard yaml_emitter_emit(emitter, &event) == 1 else {
            let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown libyaml emitter error"
            throw YAMLError("cannot emit YAML: \(problem)")
        }
    }

    private func emitNode(_ value: JSON) throws(YAMLError) {
        var event = yaml_event_t()
        switch value {
        case .null: try scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
        case .bool(let b): try scalar(b ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
        case .int, .double: try scalar(value.serializedString(), style: YAML_PLAIN_SCALAR_STYLE)
        case .string(let s): try string(s)
        case .array(let elements):
            yaml_sequence_start_event_initialize(&event, nil, nil, 1,
                                                 elements.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE)
            try send(&event)
            for element in elements { try emitNode(element) }
            yaml_sequence_end_event_initialize(&event)
            try send(&event)
        case .object(let object):
            yaml_mapping_start_event_initialize(&event, nil, nil, 1,
                                                object.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
            try send(&event)
            for (key, member) in object {
                try string(key)
                try emitNode(member)
            }
            yaml_mapping_end_event_initialize(&event)
            try send(&event)
        }
    }

    private func string(_ s: String) throws(YAMLError) {
        if YAML.needsQuoting(s) {
            try scalar(s, style: YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        } else if s.utf8.contains(UInt8(ascii: "\n")) {
            try scalar(s, style: YAML_LITERAL_SCALAR_STYLE)
        } else {
            try scalar(s, style: YAML_ANY_SCALAR_STYLE)
        }
    }

    private func scalar(_ text: String, style: yaml_scalar_style_t) throws(YAMLError) {
        var event = yaml_event_t()
        var text = text
        // libyaml copies the text, so pointing into the string for the call is enough.
        let ok = text.withUTF8 { bytes in
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { emptyPointer in
                let start = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0) } ?? emptyPointer
                return yaml_scalar_event_initialize(&event, nil, nil, start, Int32(bytes.count), 1, 1, style)
            }
        }
        guard ok == 1 else { throw YAMLError("cannot emit YAML: out of memory") }
        try send(&event)
    }
}
