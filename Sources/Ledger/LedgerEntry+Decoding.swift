import KubeJSON

/// A stored entry that is not a well-formed ledger entry, naming the field at fault.
public struct LedgerEntryDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member at fault (`"evolution.uid"`), or `""` for the entry as a whole.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}

extension LedgerEntry {
    static let knownMembers: Set<String> = [
        "version", "seq", "at", "evolution", "generation", "event", "step", "target",
        "actor", "detail", "id", "prev", "hash",
    ]

    /// Reads one stored line (without its newline).
    public init(jsonLine bytes: UnsafeBufferPointer<UInt8>) throws(LedgerEntryDecodingError) {
        let value: JSON
        do {
            value = try JSON.parse(buffer: bytes)
        } catch {
            throw LedgerEntryDecodingError(field: "", reason: "not JSON: \(error)")
        }
        try self.init(json: value)
    }

    /// Reads an entry from its JSON object (the stored form: canonical members plus `hash`).
    /// Strict about types; members it does not know go to `extensions`.
    public init(json: JSON) throws(LedgerEntryDecodingError) {
        guard case .object(let o) = json else {
            throw LedgerEntryDecodingError(field: "", reason: "expected an object, found \(json.typeName)")
        }
        func member(_ key: String) throws(LedgerEntryDecodingError) -> JSON {
            guard let v = o[key] else { throw LedgerEntryDecodingError(field: key, reason: "missing") }
            return v
        }
        // Bounded, so arithmetic on what a stored line says (seq + 1) cannot overflow, whoever wrote it.
        func int(_ key: String, minimum: Int, maximum: Int = Int(Int32.max)) throws(LedgerEntryDecodingError) -> Int {
            guard case .int(let i) = try member(key), i >= minimum, i <= maximum else {
                throw LedgerEntryDecodingError(field: key, reason: "expected an integer from \(minimum) to \(maximum)")
            }
            return Int(i)
        }
        func string(_ v: JSON, _ key: String) throws(LedgerEntryDecodingError) -> String {
            guard case .string(let s) = v else {
                throw LedgerEntryDecodingError(field: key, reason: "expected a string, found \(v.typeName)")
            }
            return s
        }
        func optionalString(_ key: String) throws(LedgerEntryDecodingError) -> String? {
            let v = try member(key)
            if case .null = v { return nil }
            return try string(v, key)
        }
        func hash(_ key: String) throws(LedgerEntryDecodingError) -> LedgerHash {
            guard let h = LedgerHash(hex: try string(try member(key), key)) else {
                throw LedgerEntryDecodingError(field: key, reason: "expected 64 lowercase hex digits")
            }
            return h
        }

        version = try int("version", minimum: 1)
        seq = try int("seq", minimum: 1)
        let atText = try string(try member("at"), "at")
        guard let at = LedgerTime(rfc3339: atText) else {
            throw LedgerEntryDecodingError(field: "at", reason: "expected YYYY-MM-DDTHH:MM:SS.mmmZ, found \"\(atText)\"")
        }
        self.at = at
        guard case .object(let evo) = try member("evolution") else {
            throw LedgerEntryDecodingError(field: "evolution", reason: "expected an object")
        }
        func evoField(_ key: String) throws(LedgerEntryDecodingError) -> String {
            guard let v = evo[key] else { throw LedgerEntryDecodingError(field: "evolution.\(key)", reason: "missing") }
            return try string(v, "evolution.\(key)")
        }
        guard evo.count == 3 else {
            throw LedgerEntryDecodingError(field: "evolution", reason: "expected exactly namespace, name and uid")
        }
        evolution = EvolutionRef(namespace: try evoField("namespace"), name: try evoField("name"), uid: try evoField("uid"))
        generation = try int("generation", minimum: 0)
        event = LedgerEvent(rawValue: try string(try member("event"), "event"))
        step = try optionalString("step")
        target = try optionalString("target")
        actor = try string(try member("actor"), "actor")
        guard case .object(let detail) = try member("detail") else {
            throw LedgerEntryDecodingError(field: "detail", reason: "expected an object")
        }
        self.detail = detail
        id = try string(try member("id"), "id")
        if id.isEmpty { throw LedgerEntryDecodingError(field: "id", reason: "empty") }
        prev = try hash("prev")
        self.hash = try hash("hash")
        var extensions = JSONObject()
        if o.count > Self.knownMembers.count {
            for (k, v) in o where !Self.knownMembers.contains(k) { extensions.set(k, v) }
        }
        self.extensions = extensions
    }
}
