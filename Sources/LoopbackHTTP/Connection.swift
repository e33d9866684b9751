import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One accepted socket: buffered reads of HTTP/1.1 requests, whole writes.
final class Connection: Sendable {
    let fd: Int32
    private let buffer = Mutex<[UInt8]>([])

    init(fd: Int32) {
        self.fd = fd
    }

    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// The next request on the connection; nil at end of stream or on a malformed request.
    func readRequest() -> LoopbackHTTPServer.Request? {
        guard let headEnd = fill(until: { Self.find([13, 10, 13, 10], in: $0) }) else { return nil }
        let head = buffer.withLock { b -> String in
            let text = String(decoding: b[..<headEnd], as: UTF8.self)
            b.removeFirst(headEnd + 4)
            return text
        }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        let target = String(parts[1])
        let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        let headers: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.last { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        guard fill(until: { $0.count >= length ? length : nil }) != nil || length == 0 else { return nil }
        let body = buffer.withLock { b -> [UInt8] in
            let body = Array(b[..<length])
            b.removeFirst(length)
            return body
        }
        return .init(method: String(parts[0]), path: path, query: query, headers: headers, body: body)
    }

    /// Reads until `done` finds what it needs in the buffer; nil at end of stream.
    private func fill(until done: ([UInt8]) -> Int?) -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let found = buffer.withLock({ done($0) }) { return found }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.withLock { $0.append(contentsOf: chunk[..<n]) }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
