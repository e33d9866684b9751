/// A kubeconfig or in-cluster setup that cannot be used, and where.
public struct KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The file concerned, when there is one.
    public let file: String?

    public init(_ message: String, file: String? = nil) {
        self.message = message
        self.file = file
    }

    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
