import KubeJSON

/// One cause of a 422 `Invalid` response: a field path, the cause reason and the
/// message exactly as the API server words it (`Invalid value: 11: … less than or equal to 10`).
///
/// `description` gives the `field: message` form the server joins into a Status message.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTooLong`,
    /// `FieldValueTooMany`, `FieldValueTypeInvalid`, `FieldValueForbidden` or `FieldValueDuplicate`.
    public var reason: String
    /// The path as the server prints it: `spec.size`, `status.conditions[0].status`, `metadata.labels`.
    public var field: String
    /// The cause's message, without the field: `Unsupported value: "pink": supported values: "red"`.
    public var message: String

    public init(reason: String, field: String, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension FieldError {
    /// `Required value` (with an optional detail), as `field.Required` builds it.
    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(reason: "FieldValueRequired", field: field, message: withDetail("Required value", detail))
    }

    /// `Invalid value: <value>: <detail>`, as `field.Invalid` builds it.
    public static func invalid(_ field: String, _ value: JSON, _ detail: String) -> FieldError {
        FieldError(reason: "FieldValueInvalid", field: field,
                   message: withDetail("Invalid value: \(GoFormat.value(value))", detail))
    }

    /// `Invalid value: "<type>": <detail>`, the type-mismatch cause (`FieldValueTypeInvalid`).
    public static func typeInvalid(_ field: String, _ value: JSON, _ detail: String) -> FieldError {
        FieldError(reason: "FieldValueTypeInvalid", field: field,
                   message: withDetail("Invalid value: \(GoFormat.value(value))", detail))
    }

    /// `Unsupported value: "pink": supported values: "red", "green"`.
    public static func notSupported(_ field: String, _ value: JSON, supported: [String]) -> FieldError {
        var message = "Unsupported value: \(GoFormat.value(value))"
        if !supported.isEmpty {
            message += ": supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
        }
        return FieldError(reason: "FieldValueNotSupported", field: field, message: message)
    }

    /// `Too long: may not be longer than N` (Kubernetes 1.24 wording; the value is not repeated).
    public static func tooLong(_ field: String, maxLength: Int) -> FieldError {
        FieldError(reason: "FieldValueTooLong", field: field, message: "Too long: may not be longer than \(maxLength)")
    }

    /// `Too many: 4: must have at most 3 items`.
    public static func tooMany(_ field: String, actual: Int, max: Int) -> FieldError {
        FieldError(reason: "FieldValueTooMany", field: field, message: "Too many: \(actual): must have at most \(max) items")
    }

    /// `Forbidden: <detail>`.
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(reason: "FieldValueForbidden", field: field, message: withDetail("Forbidden", detail))
    }

    /// `Duplicate value: <value>`.
    public static func duplicate(_ field: String, _ value: JSON) -> FieldError {
        FieldError(reason: "FieldValueDuplicate", field: field, message: "Duplicate value: \(GoFormat.value(value))")
    }

    private static func withDetail(_ head: String, _ detail: String) -> String {
        detail.isEmpty ? head : "\(head): \(detail)"
    }
}

/// A patch that cannot be applied (bad operations, a failed `test`, a missing path, a bad directive).
///
/// The server answers JSON Patch failures with a generic 422 and merge-patch body errors with 400;
/// this message is for logs and for tests, not necessarily the response body.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A label or field selector the server would refuse with 400 `BadRequest`; `message` is the
/// server's text (`unable to parse requirement: …`, `field label not supported: spec.a`).
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
