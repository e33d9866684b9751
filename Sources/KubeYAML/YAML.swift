import KubeJSON

/// YAML ⇄ JSON with Kubernetes' rules (what kubectl and the API server do).
public enum YAML {
    /// Alias expansion limit: a "billion laughs" document fails instead of eating memory.
    public static let defaultMaxNodes = 10_000_000

    /// Every document of a YAML stream (`---`-separated), in order. Empty
    /// documents are dropped, as kubectl drops them. Like kubectl, input whose
    /// first non-blank byte is `{` is read as JSON.
    public static func parseStream<Bytes: Collection>(_ bytes: Bytes, maxNodes: Int = defaultMaxNodes) throws(YAMLError) -> [JSON]
    where Bytes.Element == UInt8 {
        if bytes.first(where: { !isBlank($0) }) == UInt8(ascii: "{") {
            do { return [try JSON.parse(bytes)] } catch {
                throw YAMLError("input starts with '{' so it is read as JSON: \(error.reason)", line: error.line, column: error.column)
            }
        }
        var composer = YAMLComposer(parser: LibYAMLParser(bytes), maxNodes: maxNodes)
        return try composer.documents().filter { !$0.isNull }
    }

    private static func isBlank(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    public static func parseStream(_ text: String, maxNodes: Int = defaultMaxNodes) throws(YAMLError) -> [JSON] {
        try parseStream(Array(text.utf8), maxNodes: maxNodes)
    }

    /// Exactly one document; an empty stream is `null`, several documents are an error.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, maxNodes: Int = defaultMaxNodes) throws(YAMLError) -> JSON
    where Bytes.Element == UInt8 {
        let documents = try parseStream(bytes, maxNodes: maxNodes)
        guard documents.count <= 1 else {
            throw YAMLError("expected one YAML document, found \(documents.count); use parseStream for multi-document input")
        }
        return documents.first ?? .null
    }

    public static func parse(_ text: String, maxNodes: Int = defaultMaxNodes) throws(YAMLError) -> JSON {
        try parse(Array(text.utf8), maxNodes: maxNodes)
    }
}
