/// One HTTP request as the transport sends it.
struct HTTPRequest: Sendable {
    var method: String
    var url: String
    var headers: [(String, String)] = []
    var body: [UInt8]?
    /// Whole-request deadline; `nil` for watches, which stay open.
    var timeout: Duration?

    init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased, in arrival order.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.0 == lower }?.1
    }

    /// Every value of a repeated header (e.g. `Warning`).
    public func headers(named name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.0 == lower }.map(\.1)
    }
}

/// TLS settings shared by every transfer to one server.
struct TLSSettings: Sendable, Equatable {
    var certificateAuthority: [UInt8]?
    var insecureSkipVerify = false
    var serverName: String?
}
