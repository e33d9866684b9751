import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Many plain-HTTP watch connections read by one thread with poll(2): a load
/// generator in the spirit of wrk, so a server benchmark measures the server
/// rather than a client's JSON decoding (KubeClient's own watch throughput is
/// benchmarked separately). It de-chunks each response, splits events at
/// newlines and reports each event's metadata.resourceVersion.
final class RawWatchers: Sendable {
    private let fds: [Int32]
    private let stopped = Atomic<Bool>(false)

    /// Opens `count` watches of `path` (with its query) on 127.0.0.1:`port`.
    init(port: Int, path: String, token: String, count: Int) throws {
        var fds: [Int32] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw BenchError("watch connection to port \(port) failed: errno \(errno)") }
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nAccept: application/json\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            fds.append(fd)
        }
        self.fds = fds
    }

    /// Reads every connection on a thread of its own, calling `onEvent(resourceVersion)` per event.
    func start(onEvent: @escaping @Sendable (Int64) -> Void) {
        Thread { [self] in readLoop(onEvent) }.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func readLoop(_ onEvent: (Int64) -> Void) {
        var streams = fds.map { _ in ChunkedLines() }
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !stopped.load(ordering: .relaxed) {
            guard poll(&polls, nfds_t(polls.count), 100) > 0 else { continue }
            for i in polls.indices where polls[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(polls[i].fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { polls[i].fd = -1; continue }  // closed: poll ignores negative descriptors
                streams[i].feed(buffer[..<n]) { line in
                    if let rv = Self.resourceVersion(in: line) { onEvent(rv) }
                }
            }
        }
        for fd in fds { close(fd) }
    }

    private static let marker = Array(#""resourceVersion":""#.utf8)

    /// The first `"resourceVersion":"N"` in an event line (the object's metadata).
    static func resourceVersion(in line: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let base = line.baseAddress, line.count > marker.count else { return nil }
        return marker.withUnsafeBytes { pattern -> Int64? in
            var from = 0
            var found: Int?
            while found == nil, from + pattern.count <= line.count,
                  let quote = memchr(base + from, Int32(pattern[0]), line.count - pattern.count - from + 1) {
                let at = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, pattern.baseAddress!, pattern.count) == 0 { found = at } else { from = at + 1 }
            }
            guard let found else { return nil }
            var at = found + pattern.count
            var value: Int64 = 0
            while at < line.count, line[at] >= 48, line[at] <= 57 {
                value = value * 10 + Int64(line[at] - 48)
                at += 1
            }
            return value
        }
    }
}

/// HTTP/1.1 chunked transfer decoding of a response (head skipped), split into
/// newline-terminated lines; works on buffers, not byte by byte, so the load
/// generator stays cheap beside the server it measures.
struct ChunkedLines {
    private var headDone = false
    private var raw: [UInt8] = []
    private var chunkLeft = 0
    private var line: [UInt8] = []

    mutating func feed(_ bytes: ArraySlice<UInt8>, _ onLine: (UnsafeBufferPointer<UInt8>) -> Void) {
        raw += bytes
        var at = 0
        if !headDone {
            guard let end = find([13, 10, 13, 10], from: 0) else { return }
            at = end + 4
            headDone = true
        }
        while at < raw.count {
            if chunkLeft > 0 {
                let take = min(chunkLeft, raw.count - at)
                raw.withUnsafeBufferPointer { buffer in
                    var start = at
                    let end = at + take
                    while start < end {
                        guard let newline = memchr(buffer.baseAddress! + start, 10, end - start) else {
                            line.append(contentsOf: buffer[start..<end])
                            break
                        }
                        let stop = buffer.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                        if line.isEmpty {
                            onLine(UnsafeBufferPointer(rebasing: buffer[start..<stop]))
                        } else {
                            line.append(contentsOf: buffer[start..<stop])
                            line.withUnsafeBufferPointer { onLine($0) }
                            line.removeAll(keepingCapacity: true)
                        }
                        start = stop + 1
                    }
                }
                at += take
                chunkLeft -= take
                if chunkLeft == 0 { chunkLeft = -2 }  // the CRLF after the data
                continue
            }
            if chunkLeft < 0 {
                let skip = min(-chunkLeft, raw.count - at)
                at += skip
                chunkLeft += skip
                continue
            }
            guard let end = find([13, 10], from: at) else { break }
            let size = Int(String(decoding: raw[at..<end], as: UTF8.self), radix: 16) ?? 0
            at = end + 2
            chunkLeft = size
        }
        raw.removeFirst(at)
    }

    private func find(_ pattern: [UInt8], from: Int) -> Int? {
        guard raw.count >= pattern.count + from else { return nil }
        for i in from...(raw.count - pattern.count) where raw[i] == pattern[0] && raw[i..<(i + pattern.count)].elementsEqual(pattern) {
            return i
        }
        return nil
    }
}
