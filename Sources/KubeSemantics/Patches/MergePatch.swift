import KubeJSON

/// JSON merge patch (RFC 7386), `application/merge-patch+json`: objects merge, `null` deletes a key,
/// anything else (lists included) replaces.
public enum MergePatch {
    /// RFC 7386 §2 `MergePatch(Target, Patch)`. A non-object patch replaces the target; an object patch
    /// applied to a non-object starts from `{}`.
    public static func apply(_ patch: JSON, to target: JSON) -> JSON {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in patchObject {
            if value.isNull {
                result.remove(key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified` (for tests and drift reports).
    ///
    /// Caveat: a merge patch cannot set a value to `null` or express a change inside a list, so for
    /// such changes the result sets the whole list or drops the key.
    public static func diff(from original: JSON, to modified: JSON) -> JSON {
        guard case .object(let old) = original, case .object(let new) = modified else { return modified }
        var patch = JSONObject()
        for key in old.keys where new[key] == nil { patch[key] = .null }
        for (key, newValue) in new {
            guard let oldValue = old[key] else {
                patch[key] = newValue
                continue
            }
            if oldValue == newValue { continue }
            if case .object = oldValue, case .object = newValue {
                patch[key] = diff(from: oldValue, to: newValue)
            } else {
                patch[key] = newValue
            }
        }
        return .object(patch)
    }
}
