import Foundation
import KubeJSON

/// A kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1 or v1beta1).
public struct ExecConfig: Sendable, Equatable {
    public var command: String
    public var args: [String]
    public var env: [(String, String)]
    public var apiVersion: String
    public var installHint: String?
    /// Where the kubeconfig that named the plugin lives: a relative command resolves against it.
    public var directory: String

    public static func == (a: ExecConfig, b: ExecConfig) -> Bool {
        a.command == b.command && a.args == b.args && a.apiVersion == b.apiVersion
            && a.env.map { $0.0 + "=" + $0.1 } == b.env.map { $0.0 + "=" + $0.1 }
    }

    public init(command: String, args: [String] = [], env: [(String, String)] = [],
                apiVersion: String = "client.authentication.k8s.io/v1", installHint: String? = nil, directory: String = ".") {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.directory = directory
    }

    init(_ json: JSON, directory: String, file: String) throws(KubeConfigError) {
        guard let command = json["command"]?.stringValue, !command.isEmpty else {
            throw KubeConfigError("exec plugin has no command", file: file)
        }
        let apiVersion = json["apiVersion"]?.stringValue ?? ""
        guard ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"].contains(apiVersion) else {
            throw KubeConfigError("exec plugin apiVersion \"\(apiVersion)\" is not supported; use client.authentication.k8s.io/v1", file: file)
        }
        let env: [(String, String)] = (json["env"]?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue else { return nil }
            return (name, item["value"]?.stringValue ?? "")
        }
        self.init(command: command, args: (json["args"]?.arrayValue ?? []).compactMap(\.stringValue), env: env,
                  apiVersion: apiVersion, installHint: json["installHint"]?.stringValue, directory: directory)
    }
}
