import KubeJSON

/// One write to a governed object that changed what Causeway applied there, by someone other
/// than Causeway, as its admission webhook saw it: the person the API server authenticated,
/// what they did, and whether they broke the glass of a freeze. Written by `causeway webhook`
/// into the namespace's journal, read by the controller to name the person behind a Deviation.
///
/// `{"time":"…","user":"bob@example.com","groups":["dev"],"operation":"UPDATE","fieldManager":"kubectl-patch",
///   "object":{…},"uid":"…","oldResourceVersion":"41","fields":[".spec.replicas"],"ownedHash":"…","evolution":"shop/rollout",
///   "allowed":true,"mac":"…"}`
/// - `oldResourceVersion`: the object the write was made on; with `ownedHash` (`GovernanceMark.valuesHash`
///   of what the write left, absent for a DELETE) it joins the write to the deviation it caused.
/// - `mac`: the stamp key over the entry; an entry written or edited by anyone else does not verify.
public struct JournalEntry: Sendable, Hashable {
    public var time: String
    public var user: String
    public var groups: [String]
    public var operation: String
    public var fieldManager: String?
    public var object: ObjectReference
    public var uid: String?
    public var oldResourceVersion: String?
    /// The Causeway-owned fields the write changed.
    public var fields: [String]
    public var ownedHash: String?
    public var evolution: String
    public var dryRun: Bool
    /// The reason given in `causeway.dev/break-glass`, when the write broke a freeze with one.
    public var breakGlass: String?
    /// False when a freeze denied it.
    public var allowed: Bool
    public var mac: String?

    public init(time: String, user: String, groups: [String], operation: String, fieldManager: String?, object: ObjectReference,
                uid: String?, oldResourceVersion: String?, fields: [String], ownedHash: String?, evolution: String,
                dryRun: Bool, breakGlass: String?, allowed: Bool, mac: String? = nil) {
        self.time = time
        self.user = user
        self.groups = groups
        self.operation = operation
        self.fieldManager = fieldManager
        self.object = object
        self.uid = uid
        self.oldResourceVersion = oldResourceVersion
        self.fields = fields
        self.ownedHash = ownedHash
        self.evolution = evolution
        self.dryRun = dryRun
        self.breakGlass = breakGlass
        self.allowed = allowed
        self.mac = mac
    }

    private var unsigned: JSONObject {
        var o: JSONObject = ["time": .string(time), "user": .string(user), "groups": .array(groups.map(JSON.string)),
                             "operation": .string(operation), "object": object.json, "fields": .array(fields.map(JSON.string)),
                             "evolution": .string(evolution), "dryRun": .bool(dryRun), "allowed": .bool(allowed)]
        for (key, value) in [("fieldManager", fieldManager), ("uid", uid), ("oldResourceVersion", oldResourceVersion),
                             ("ownedHash", ownedHash), ("breakGlass", breakGlass)] {
            if let value { o[key] = .string(value) }
        }
        return o
    }

    /// What the MAC covers: every field but the MAC, serialized with sorted keys.
    public var signedText: String { JSON.object(JSONObject(unsigned.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) })).serializedString() }

    public var json: JSON {
        var o = unsigned
        if let mac { o["mac"] = .string(mac) }
        return .object(o)
    }

    public init?(json: JSON) {
        guard let time = json["time"]?.stringValue, let user = json["user"]?.stringValue, let operation = json["operation"]?.stringValue,
              let object = json["object"].flatMap(ObjectReference.init(json:)), let evolution = json["evolution"]?.stringValue else { return nil }
        self.init(time: time, user: user, groups: (json["groups"]?.arrayValue ?? []).compactMap(\.stringValue), operation: operation,
                  fieldManager: json["fieldManager"]?.stringValue, object: object, uid: json["uid"]?.stringValue,
                  oldResourceVersion: json["oldResourceVersion"]?.stringValue,
                  fields: (json["fields"]?.arrayValue ?? []).compactMap(\.stringValue), ownedHash: json["ownedHash"]?.stringValue,
                  evolution: evolution, dryRun: json["dryRun"]?.boolValue ?? false, breakGlass: json["breakGlass"]?.stringValue,
                  allowed: json["allowed"]?.boolValue ?? true, mac: json["mac"]?.stringValue)
    }
}

/// The admission journal: a bounded ring of `JournalEntry`s, one JSON line each, under `entries`
/// of ConfigMap `causeway-admission-journal` in the governed object's namespace (cluster-scoped
/// objects: `causeway-system`). The newest `capacity` entries are kept, within `maxBytes`.
public enum AdmissionJournal {
    public static let configMapName = "causeway-admission-journal"
    public static let dataKey = "entries"
    public static let label = "causeway.dev/admission-journal"
    public static let clusterScopedNamespace = "causeway-system"
    /// Enough for the controller to find an entry (it reads within seconds of the write; the
    /// Deviation in the ledger keeps the person for good), small enough to rewrite at every store.
    public static let capacity = 64
    /// Well under a ConfigMap's 1 MiB.
    public static let maxBytes = 128 * 1024

    public static func namespace(of object: ObjectReference) -> String { object.namespace ?? clusterScopedNamespace }

    /// The entries in `text`, oldest first; lines that are not entries are skipped (and counted).
    public static func decode(_ text: String) -> (entries: [JournalEntry], unreadable: Int) {
        var entries: [JournalEntry] = [], unreadable = 0
        for line in text.split(separator: "\n") where !line.isEmpty {
            if let json = try? JSON.parse(Array(line.utf8)), let entry = JournalEntry(json: json) { entries.append(entry) } else { unreadable += 1 }
        }
        return (entries, unreadable)
    }

    /// `text` with `entries` appended and the oldest lines dropped beyond the bounds.
    public static func appending(_ entries: [JournalEntry], to text: String) -> String {
        var lines = text.split(separator: "\n").map(String.init)
        lines += entries.map { $0.json.serializedString() }
        var size = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        var first = max(0, lines.count - capacity)
        for line in lines[..<first] { size -= line.utf8.count + 1 }
        while size > maxBytes, first < lines.count - 1 {
            size -= lines[first].utf8.count + 1
            first += 1
        }
        return lines[first...].joined(separator: "\n") + "\n"
    }
}
