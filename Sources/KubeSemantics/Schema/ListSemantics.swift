/// How server-side apply and field ownership treat a list (`x-kubernetes-list-type`).
///
/// * `atomic`: the list is one value, owned and replaced whole (the default for CRDs).
/// * `set`: scalar items, each owned separately and identified by value.
/// * `map(keys:)`: object items identified by the values of `keys` (`x-kubernetes-list-map-keys`).
public enum ListSemantics: Sendable, Equatable {
    case atomic
    case set
    case map(keys: [String])
}
