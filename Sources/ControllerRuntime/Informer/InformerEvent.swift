import KubeJSON

/// A change the informer applied to its cache, as handlers see it.
public enum InformerEvent: Sendable {
    case added(JSON)
    case updated(old: JSON, new: JSON)
    case deleted(JSON)

    /// The object after the change (for a deletion, its last known state).
    public var object: JSON {
        switch self {
        case .added(let object), .deleted(let object), .updated(_, let object): return object
        }
    }
}

/// Decides whether an event is worth a reconcile.
public typealias EventPredicate = @Sendable (InformerEvent) -> Bool

public enum EventPredicates {
    /// Drops updates that did not change metadata.generation, i.e. status-only or metadata-only writes.
    ///
    /// Caveat: kinds without a generation (ConfigMaps, Secrets) report none;
    /// their updates always pass, or a controller of them would never see a change.
    public static let generationChanged: EventPredicate = { event in
        guard case .updated(let old, let new) = event,
              let before = old[path: "metadata", "generation"]?.intValue,
              let after = new[path: "metadata", "generation"]?.intValue else { return true }
        return before != after
    }

    /// Drops updates whose last managedFields entry is from `fieldManager`: the controller's own writes.
    public static func notWrittenBy(_ fieldManager: String) -> EventPredicate {
        { event in
            guard case .updated = event,
                  let last = event.object[path: "metadata", "managedFields"]?.arrayValue?.last,
                  last["manager"]?.stringValue == fieldManager else { return true }
            return false
        }
    }
}
