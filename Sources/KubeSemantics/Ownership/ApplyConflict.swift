import KubeJSON

/// A server-side apply that would change fields another manager owns (409 `Conflict`).
public struct ApplyConflict: Error, Sendable, Equatable, CustomStringConvertible {
    /// The other manager's name and the path (`.spec.replicas`), sorted by manager then path.
    public var conflicts: [(manager: String, field: String)]
    /// `Apply failed with 1 conflict: conflict with "mgr-a": .spec.replicas`; with several conflicts the
    /// server's multi-line form (`Apply failed with 2 conflicts: conflicts with "a":\n- .spec.x…`).
    public var message: String
    /// The Status `details.causes`: reason `FieldManagerConflict`, message `conflict with "mgr-a"` (with
    /// ` using <apiVersion>` for Update owners), field `.spec.replicas`.
    public var causes: [FieldError]

    public init(conflicts: [(manager: String, field: String)], message: String, causes: [FieldError]) {
        self.conflicts = conflicts
        self.message = message
        self.causes = causes
    }

    /// Builds the error from (owner entry, path) pairs the way the API server words it.
    init(_ found: [(owner: ManagedFieldsEntry, path: FieldPath)]) {
        let sorted = found.sorted { a, b in
            a.owner.conflictDescription != b.owner.conflictDescription
                ? a.owner.conflictDescription < b.owner.conflictDescription
                : FieldPath.precedes(a.path, b.path)
        }
        conflicts = sorted.map { ($0.owner.manager, $0.path.pathString) }
        causes = sorted.map {
            FieldError(reason: "FieldManagerConflict", field: $0.path.pathString, message: "conflict with \($0.owner.conflictDescription)")
        }
        if sorted.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(sorted[0].owner.conflictDescription): \(sorted[0].path.pathString)"
        } else {
            var lines: [String] = []
            var current: String?
            for item in sorted {
                let who = item.owner.conflictDescription
                if who != current {
                    lines.append("conflicts with \(who):")
                    current = who
                }
                lines.append("- \(item.path.pathString)")
            }
            message = "Apply failed with \(sorted.count) conflicts: " + lines.joined(separator: "\n")
        }
    }

    public static func == (lhs: ApplyConflict, rhs: ApplyConflict) -> Bool {
        lhs.message == rhs.message && lhs.causes == rhs.causes
            && lhs.conflicts.map(\.manager) == rhs.conflicts.map(\.manager)
            && lhs.conflicts.map(\.field) == rhs.conflicts.map(\.field)
    }

    public var description: String { message }
}
