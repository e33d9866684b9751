import KubeJSON

extension ServerSideApply {
    /// Ownership bookkeeping for non-apply writes (create/update/patch): the changed fields move to
    /// `manager` (an Update entry, per subresource); managers left owning nothing disappear.
    ///
    /// Guarantees: Update operations never conflict; a write that changes nothing adds no entry and
    /// leaves times alone; removed fields leave every owner. `old` is nil on create.
    public static func recordUpdate(from old: JSON?, to new: JSON, manager: String, apiVersion: String, subresource: String?,
                                    time: String, managedFields: [ManagedFieldsEntry],
                                    listSemantics: (([String]) -> ListSemantics?)?) -> [ManagedFieldsEntry] {
        let comparison = FieldSet.compare(from: old, to: new, listSemantics: listSemantics)
        let changed = comparison.added.union(comparison.modified)
        let writer = ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: apiVersion, time: time,
                                        subresource: subresource, fields: FieldSet())
        var entries: [ManagedFieldsEntry] = []
        var found = false
        for var entry in managedFields {
            if entry.isSameManager(as: writer) {
                found = true
                entry.fields = entry.fields.subtracting(comparison.removed).union(changed)
                if !changed.isEmpty { entry.time = time }
            } else {
                entry.fields = entry.fields.subtracting(changed).subtracting(comparison.removed)
            }
            if !entry.fields.isEmpty { entries.append(entry) }
        }
        if !found && !changed.isEmpty {
            var entry = writer
            entry.fields = changed
            entries.append(entry)
        }
        return ManagedFieldsEntry.sorted(entries)
    }
}
