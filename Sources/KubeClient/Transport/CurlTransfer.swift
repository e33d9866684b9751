internal import CCurlShim
import Foundation

/// One libcurl easy handle and everything it points at, alive until the transfer ends.
///
/// Created on the caller's thread, then touched only by the loop thread
/// (hence `@unchecked Sendable`). Buffered transfers resume a continuation
/// with the whole response; streaming transfers yield complete lines
/// (newline-delimited JSON), since watch event boundaries do not line up with
/// HTTP chunks.
final class CurlTransfer: @unchecked Sendable {
    enum Delivery {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case lines(AsyncThrowingStream<[UInt8], any Error>.Continuation, LineFlow)
    }

    let easy: UnsafeMutableRawPointer
    let url: String
    let method: String
    private var delivery: Delivery?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Owned copy of the body: libcurl reads it through a raw pointer during the transfer.
    private let requestBody: UnsafeMutableRawBufferPointer
    private let bodyLength: Int
    private var status = 0
    private var responseHeaders: [(String, String)] = []
    private var body: [UInt8] = []
    private var lineBuffer: [UInt8] = []
    private var lineScanStart = 0

    init(request: HTTPRequest, tls: TLSSettings, credentials: Credentials, userAgent: String, delivery: Delivery) {
        easy = curl_easy_init()!
        url = request.url
        method = request.method
        self.delivery = delivery
        let body = request.body ?? []
        requestBody = .allocate(byteCount: max(body.count, 1), alignment: 1)
        requestBody.copyBytes(from: body)
        bodyLength = body.count
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure(request: request, tls: tls, credentials: credentials, userAgent: userAgent)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectTo)
        errorBuffer.deallocate()
        requestBody.deallocate()
    }

    private func configure(request: HTTPRequest, tls: TLSSettings, credentials: Credentials, userAgent: String) {
        setLong(CURLOPT_NOSIGNAL, 1)
        causeway_easy_setopt_string(easy, CURLOPT_URL, Self.url(request.url, tls: tls, connectTo: &connectTo))
        if let connectTo { causeway_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo) }
        causeway_easy_setopt_string(easy, CURLOPT_USERAGENT, userAgent)
        causeway_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        setLong(CURLOPT_HTTP_VERSION, causeway_CURL_HTTP_VERSION_2TLS)
        setLong(CURLOPT_PIPEWAIT, 1)  // wait for a multiplexed HTTP/2 connection instead of opening another
        setLong(CURLOPT_TCP_KEEPALIVE, 1)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        if let timeout = request.timeout {
            setLong(CURLOPT_TIMEOUT_MS, Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        }

        switch request.method {
        case "GET": setLong(CURLOPT_HTTPGET, 1)
        case "HEAD": setLong(CURLOPT_NOBODY, 1)
        default: causeway_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if request.body != nil || ["POST", "PUT", "PATCH"].contains(request.method) {
            causeway_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyLength))
            causeway_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, requestBody.baseAddress)
        }

        var headers = request.headers
        if let token = credentials.token { headers.append(("Authorization", "Bearer " + token)) }
        headers.append(("Expect", ""))  // no 100-continue round trip for large bodies
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        causeway_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)

        if let ca = tls.certificateAuthority {
            ca.withUnsafeBytes { _ = causeway_easy_setopt_blob(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
        }
        if tls.insecureSkipVerify {
            setLong(CURLOPT_SSL_VERIFYPEER, 0)
            setLong(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let cert = credentials.clientCertificate, let key = credentials.clientKey {
            causeway_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM")
            cert.withUnsafeBytes { _ = causeway_easy_setopt_blob(easy, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
            key.withUnsafeBytes { _ = causeway_easy_setopt_blob(easy, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
        }

        let me = Unmanaged.passUnretained(self).toOpaque()
        causeway_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        causeway_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
        causeway_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        causeway_easy_setopt_write_function(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
    }

    /// With a TLS server name (kubeconfig `tls-server-name`), the URL names that
    /// host, so SNI and certificate verification use it, while CONNECT_TO sends
    /// the connection to the real address.
    private static func url(_ url: String, tls: TLSSettings, connectTo: inout UnsafeMutablePointer<curl_slist>?) -> String {
        guard let serverName = tls.serverName, !serverName.isEmpty, var components = URLComponents(string: url),
              let host = components.host else { return url }
        let port = components.port ?? (components.scheme == "https" ? 443 : 80)
        connectTo = curl_slist_append(connectTo, "\(serverName):\(port):\(host):\(port)")
        components.host = serverName
        return components.string ?? url
    }

    @discardableResult
    private func setLong(_ option: CURLoption, _ value: Int) -> CURLcode {
        causeway_easy_setopt_long(easy, option, value)
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\r") || bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response (after 100 Continue or a redirect): forget the previous headers.
            responseHeaders.removeAll()
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].drop { $0 == " " }
        responseHeaders.append((name, String(value)))
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) {
        guard case .lines(let continuation, let flow) = delivery, (200..<300).contains(status) else {
            body.append(contentsOf: bytes)
            return
        }
        lineBuffer.append(contentsOf: bytes)
        var start = 0
        var i = lineScanStart
        var handedOver = 0
        while i < lineBuffer.count {
            if lineBuffer[i] == UInt8(ascii: "\n") {
                if i > start {
                    continuation.yield(Array(lineBuffer[start..<i]))
                    handedOver += i - start
                }
                start = i + 1
            }
            i += 1
        }
        if start > 0 { lineBuffer.removeFirst(start) }
        lineScanStart = lineBuffer.count
        // Pausing from inside the write callback is allowed; the loop resumes us when the consumer catches up.
        if handedOver > 0, flow.produced(handedOver) { _ = curl_easy_pause(easy, CURLPAUSE_RECV) }
    }

    /// Called once by the loop when libcurl reports the transfer done.
    func complete(code: CURLcode) {
        guard let delivery else { return }
        self.delivery = nil
        if code != CURLE_OK {
            let error = KubeClientError.transport(transportError(code))
            switch delivery {
            case .buffered(let c): c.resume(throwing: error)
            case .lines(let c, _): c.finish(throwing: error)
            }
            return
        }
        var responseCode = 0
        causeway_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        let response = HTTPResponse(status: responseCode, headers: responseHeaders, body: body)
        switch delivery {
        case .buffered(let c): c.resume(returning: response)
        case .lines(let c, _):
            if (200..<300).contains(responseCode) {
                if !lineBuffer.isEmpty { c.yield(lineBuffer) }
                c.finish()
            } else {
                c.finish(throwing: APIErrorDecoder.error(for: response, method: method, url: url))
            }
        }
    }

    /// Loop thread: the consumer caught up (see `LineFlow`).
    func resumeReceiving() {
        _ = curl_easy_pause(easy, 0)  // CURLPAUSE_CONT
    }

    func cancel() {
        guard let delivery else { return }
        self.delivery = nil
        switch delivery {
        case .buffered(let c): c.resume(throwing: KubeClientError.cancelled)
        case .lines(let c, _): c.finish()
        }
    }

    private func transportError(_ code: CURLcode) -> TransportError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .hostNotFound
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: kind = .serverCertificateUntrusted
        case CURLE_SSL_CERTPROBLEM: kind = .clientCertificateRejected
        case CURLE_SSL_CONNECT_ERROR: kind = .tlsHandshakeFailed
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = .invalidURL
        default: kind = .other
        }
        return TransportError(kind: kind, code: Int(code.rawValue), message: message, url: url)
    }
}
