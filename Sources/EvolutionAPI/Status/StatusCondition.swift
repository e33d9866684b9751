/// A `metav1.Condition`, as kstatus and `kubectl wait --for=condition=...` read it.
public struct StatusCondition: Sendable, Hashable {
    public static let ready = "Ready"
    public static let progressing = "Progressing"
    public static let halted = "Halted"
    public static let drifted = "Drifted"
    public static let invalid = "Invalid"
    /// kstatus' abnormal-true condition: makes Flux and Argo CD health checks
    /// report failure at once instead of waiting for their own timeout.
    public static let stalled = "Stalled"

    public var type: String
    /// "True", "False" or "Unknown".
    public var status: String
    /// CamelCase, machine-readable.
    public var reason: String
    public var message: String
    public var observedGeneration: Int64?
    /// When `status` last changed (kept when only reason or message change).
    public var lastTransitionTime: Timestamp?

    public init(type: String, status: Bool, reason: String, message: String,
                observedGeneration: Int64? = nil, lastTransitionTime: Timestamp? = nil) {
        self.init(type: type, status: status ? "True" : "False", reason: reason, message: message,
                  observedGeneration: observedGeneration, lastTransitionTime: lastTransitionTime)
    }

    public init(type: String, status: String, reason: String, message: String,
                observedGeneration: Int64? = nil, lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }

    public var isTrue: Bool { status == "True" }
}
