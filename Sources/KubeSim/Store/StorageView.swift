import KubeJSON

/// A type served from another type's storage through a conversion, as the real
/// server stores events.k8s.io/v1 Events as core/v1 Events: one object, one uid,
/// one resourceVersion, two shapes.
struct StorageView: Sendable {
    var storage: TypeKey
    var toStorage: @Sendable (JSON) -> JSON
    var fromStorage: @Sendable (JSON) -> JSON
}

/// events.k8s.io/v1 ⇄ core/v1 Event, field for field as the API server converts
/// them (k8s.io/kubernetes pkg/apis/events/v1 conversion): `note` is `message`,
/// `regarding` is `involvedObject`, the deprecated* fields are the old series fields.
enum EventConversion {
    static let eventsType = TypeKey(group: "events.k8s.io", plural: "events")
    static let coreType = TypeKey(group: "", plural: "events")

    /// (events.k8s.io name, core name); every other field has the same name in both.
    static let renamed: [(String, String)] = [
        ("regarding", "involvedObject"), ("note", "message"), ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
    ]

    static let view = StorageView(
        storage: coreType,
        toStorage: { convert($0, apiVersion: "v1", names: Dictionary(uniqueKeysWithValues: renamed)) },
        fromStorage: { convert($0, apiVersion: "events.k8s.io/v1", names: Dictionary(uniqueKeysWithValues: renamed.map { ($1, $0) })) })

    private static func convert(_ event: JSON, apiVersion: String, names: [String: String]) -> JSON {
        guard let fields = event.objectValue else { return event }
        var converted = JSONObject(minimumCapacity: fields.count)
        for (key, value) in fields {
            switch key {
            case "apiVersion": converted.set(key, .string(apiVersion))
            default: converted.set(names[key] ?? key, value)
            }
        }
        return .object(converted)
    }
}
