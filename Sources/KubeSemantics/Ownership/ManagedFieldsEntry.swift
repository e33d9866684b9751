import KubeJSON

/// One `metadata.managedFields` item (KUBE-API.md §2.5): who owns which fields, by which operation.
public struct ManagedFieldsEntry: Sendable, Equatable {
    public var manager: String
    /// `Apply` or `Update`.
    public var operation: String
    public var apiVersion: String
    /// RFC 3339, second precision (`2026-11-24T21:12:05Z`).
    public var time: String
    /// `status` for writes through the status subresource, nil otherwise.
    public var subresource: String?
    public var fields: FieldSet

    public init(manager: String, operation: String, apiVersion: String, time: String, subresource: String? = nil, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// Reads an item; refuses an unknown operation or `fieldsType`, as the server's validation does.
    public init(json: JSON) throws(FieldError) {
        guard case .object(let o) = json else {
            throw FieldError.invalid("metadata.managedFields", json, "must be an object")
        }
        manager = o["manager"]?.stringValue ?? ""
        operation = o["operation"]?.stringValue ?? ""
        guard operation == "Apply" || operation == "Update" else {
            throw FieldError.notSupported("metadata.managedFields.operation", .string(operation), supported: ["Apply", "Update"])
        }
        if let type = o["fieldsType"]?.stringValue, type != "FieldsV1" {
            throw FieldError.invalid("metadata.managedFields.fieldsType", .string(type), "must be `FieldsV1`")
        }
        apiVersion = o["apiVersion"]?.stringValue ?? ""
        time = o["time"]?.stringValue ?? ""
        subresource = o["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        fields = try FieldSet(fieldsV1: o["fieldsV1"] ?? .null)
    }

    /// The item as the server writes it: manager, operation, apiVersion, time, fieldsType, fieldsV1,
    /// and subresource only when set.
    public var json: JSON {
        var o: JSONObject = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
        ]
        if let subresource { o["subresource"] = .string(subresource) }
        return .object(o)
    }

    /// Whether two entries are the same manager as structured-merge-diff keys them: name, operation and
    /// subresource, plus the version for Update entries.
    func isSameManager(as other: ManagedFieldsEntry) -> Bool {
        manager == other.manager && operation == other.operation && subresource == other.subresource
            && (operation == "Apply" || apiVersion == other.apiVersion)
    }

    /// The manager as conflict messages print it: `"mgr-a"`, `"ctrl" with subresource "status"`,
    /// `"updater" using causeway.dev/v1alpha1`.
    public var conflictDescription: String {
        var out = GoFormat.quote(manager)
        if let subresource { out += " with subresource \(GoFormat.quote(subresource))" }
        if operation == "Update" { out += " using \(apiVersion)" }
        return out
    }

    /// The server's order: Apply before Update, then by time, manager, apiVersion and subresource.
    static func sorted(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
        entries.sorted { p, q in
            if p.operation != q.operation { return p.operation < q.operation }
            if p.time != q.time { return p.time < q.time }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return (p.subresource ?? "") < (q.subresource ?? "")
        }
    }
}
