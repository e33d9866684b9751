import Foundation
import KubeJSON

/// Turns an error response into a `KubeClientError`, from its Status body when
/// there is one (the API server's usual answer) and from the status line when
/// not (the text/plain 404 for unknown paths, proxies' HTML pages).
enum APIErrorDecoder {
    static func error(for response: HTTPResponse, method: String, url: String) -> KubeClientError {
        var status = APIStatus(code: response.status, reason: reasonPhrase(response.status), message: "",
                               details: nil, method: method, url: url, retryAfterSeconds: nil)
        if let json = try? JSON.parse(response.body), json["kind"]?.stringValue == "Status" {
            if let code = json["code"]?.intValue, code != 0 { status.code = Int(code) }
            if let reason = json["reason"]?.stringValue, !reason.isEmpty { status.reason = reason }
            status.message = json["message"]?.stringValue ?? ""
            status.details = json["details"]
            status.retryAfterSeconds = json["details"]?["retryAfterSeconds"]?.intValue.map(Int.init)
        } else {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            status.message = text.isEmpty ? "the server sent no Status body" : text
        }
        if let header = response.header("Retry-After"), let seconds = Int(header) {
            status.retryAfterSeconds = seconds
        }
        if status.code == 410 { return .resourceVersionTooOld(message: status.message) }
        return .api(status)
    }

    /// The reasons the API server itself uses for these codes.
    static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "HTTP\(code)"
        }
    }
}
