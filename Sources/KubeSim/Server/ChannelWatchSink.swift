import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The watches of one event loop with events waiting, drained by one task on
/// that loop: a write that reaches fifty watchers costs one hop per loop, not
/// one per watcher (each hop from another thread is a wakeup).
///
/// Drains are at least `spacing` apart, like a cork: an idle server sends an
/// event at once, a busy one sends the events of the last `spacing` in one
/// write per watcher, since each write to a socket is a system call and a wakeup
/// of the reader. That is what lets fifty watchers keep up with thousands of writes/s.
final class WatchDrainBatch: @unchecked Sendable {
    static let spacing = TimeAmount.microseconds(500)
    private let loop: EventLoop
    private let lock = NSLock()
    private var waiting: [ChannelWatchSink] = []
    private var lastDrain = NIODeadline.uptimeNanoseconds(0)

    private init(loop: EventLoop) {
        self.loop = loop
    }

    private static let batches = Mutex<[ObjectIdentifier: WatchDrainBatch]>([:])

    /// The batch of `loop`, one per event loop for the life of the process.
    static func of(_ loop: EventLoop) -> WatchDrainBatch {
        batches.withLock { table in
            let id = ObjectIdentifier(loop)
            if let batch = table[id] { return batch }
            let batch = WatchDrainBatch(loop: loop)
            table[id] = batch
            return batch
        }
    }

    /// Called once per sink when it gets its first pending event since its last drain.
    func enqueue(_ sink: ChannelWatchSink) {
        let due = lock.withLock { () -> NIODeadline? in
            waiting.append(sink)
            return waiting.count == 1 ? lastDrain + Self.spacing : nil
        }
        guard let due else { return }
        if due <= .now() {
            loop.execute { [self] in drainAll() }
        } else {
            loop.scheduleTask(deadline: due) { [self] in drainAll() }
        }
    }

    private func drainAll() {
        let sinks = lock.withLock { () -> [ChannelWatchSink] in
            defer { waiting.removeAll(keepingCapacity: true) }
            lastDrain = .now()
            return waiting
        }
        for sink in sinks { sink.drain() }
    }
}

/// A watch response streamed on a channel: head once, events as chunks, end when finished.
///
/// Events sent while a drain is already pending join it, so a burst of changes
/// costs one flush per watcher rather than one per event.
final class ChannelWatchSink: WatchSink, @unchecked Sendable {
    private let channel: Channel
    private let batch: WatchDrainBatch
    private let lock = NSLock()
    private var started = false
    private var finished = false
    private var pending: [UInt8] = []
    private var drainScheduled = false
    private let version: HTTPVersion
    private var remaining: Int?

    init(channel: Channel, version: HTTPVersion, closeAfter: Int?, accept: String) {
        self.channel = channel
        self.version = version
        batch = WatchDrainBatch.of(channel.eventLoop)
        remaining = closeAfter
    }

    private func startIfNeeded() {
        guard !started else { return }
        started = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Audit-Id", value: RandomUUID.make())
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: .ok, headers: headers)), promise: nil)
    }

    func open() {
        lock.withLock { if !finished, channel.isActive { startIfNeeded(); channel.flush() } }
    }

    func send(_ line: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !finished, channel.isActive else { return false }
        startIfNeeded()
        pending.append(contentsOf: line)
        if !drainScheduled {
            drainScheduled = true
            batch.enqueue(self)
        }
        if let r = remaining {
            // Fault injection: drop the watch after N events, as a flaky network or apiserver restart would.
            remaining = r - 1
            if r - 1 <= 0 {
                finished = true
                writePending()
                channel.close(promise: nil)
                return false
            }
        }
        return true
    }

    func whenClientGone(_ action: @escaping @Sendable () -> Void) {
        channel.closeFuture.whenComplete { _ in action() }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        guard channel.isActive else { return }
        startIfNeeded()
        writePending()
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    /// On the event loop: everything queued since the last drain, as one chunk.
    func drain() {
        lock.withLock {
            drainScheduled = false
            writePending()
        }
    }

    /// Writes the queued events (lock held). Writes from any thread keep their order on the loop.
    private func writePending() {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))), promise: nil)
    }
}
