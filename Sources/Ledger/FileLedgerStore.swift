import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Synchronization

/// A ledger as a file of JSON lines, one file per evolution, under a directory.
///
/// Layout: `<directory>/<namespace>_<name>_<uid>.jsonl` (see `fileName(for:)`), one
/// entry per line in the stored form (`LedgerEntry.jsonLine()`), plus a lock file
/// beside it (`….jsonl.lock`) holding the pid of the process that has it open.
///
/// Guarantees:
/// - Exclusive: opening takes an exclusive `flock` on the lock file for the store's
///   lifetime; a second opener, in this process or another, fails with
///   `LedgerFileError.locked` naming the holder's pid.
/// - Durable: a batch is one `write` (all its lines) and, by default, one sync;
///   `append` returns only after both. `.perEntry` syncs after every line.
/// - Recoverable: an unterminated last line, the trace of a write a crash cut
///   short, is cut when the file is opened and reported in `recovery`. Any other
///   malformed line — including a complete last one — is `LedgerFileError.corruptLine`
///   with its line number, and nothing is changed.
/// - A failed write is truncated back to the last whole batch before the error is thrown.
///
/// Caveats: the calls are synchronous under the hood (a sync takes milliseconds on
/// real disks); `close()` or deinit releases the lock.
public final class FileLedgerStore: LedgerStore {
    public enum SyncPolicy: Sendable, Equatable {
        /// One sync per appended batch (the default).
        case perBatch
        /// A write and a sync per entry, even within a batch.
        case perEntry
        /// No sync: durable only as far as the OS page cache. For tests and benchmarks.
        case none
    }

    public struct Options: Sendable {
        public var sync: SyncPolicy
        /// Create the directory (and its parents) if missing.
        public var createDirectory: Bool
        /// Crash tests only: write at most this many bytes per system call, pausing
        /// `pauseMicroseconds` between calls, so a kill can land mid-line.
        public var tornWriteSimulation: (chunkBytes: Int, pauseMicroseconds: UInt32)?

        public init(sync: SyncPolicy = .perBatch, createDirectory: Bool = true,
                    tornWriteSimulation: (chunkBytes: Int, pauseMicroseconds: UInt32)? = nil) {
            self.sync = sync
            self.createDirectory = createDirectory
            self.tornWriteSimulation = tornWriteSimulation
        }
    }

    struct State {
        var fd: Int32
        var lockFD: Int32
        var head: LedgerHead?
        var size: Int
        var closed = false
    }

    public let evolution: EvolutionRef
    /// The ledger file.
    public let path: String
    public let lockPath: String
    public let options: Options
    /// The torn tail cut when the file was opened, if there was one.
    public let recovery: LedgerRecovery?
    private let state: Mutex<State>

    /// Opens (creating if needed) the ledger of `evolution` under `directory`, takes its
    /// lock, and cuts a torn tail if the last write was interrupted.
    public init(directory: String, evolution: EvolutionRef, options: Options = Options()) throws(LedgerFileError) {
        self.evolution = evolution
        self.options = options
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        path = base + Self.fileName(for: evolution)
        lockPath = path + ".lock"
        if options.createDirectory { try Self.makeDirectories(directory) }

        let lockFD = try Self.acquireLock(lockPath)
        do throws(LedgerFileError) {
            let existed = access(path, F_OK) == 0
            let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd < 0 { throw LedgerFileError.system(path: path, operation: "open", errno: errno) }
            do throws(LedgerFileError) {
                if !existed { try Self.syncDirectory(directory) }
                let opened = try Self.openContents(fd: fd, path: path, evolution: evolution)
                recovery = opened.recovery
                state = Mutex(State(fd: fd, lockFD: lockFD, head: opened.head, size: opened.size))
            } catch {
                closeDescriptor(fd)
                throw error
            }
        } catch {
            closeDescriptor(lockFD)
            throw error
        }
    }

    deinit { close() }

    /// Releases the file and its lock. Later calls fail with `LedgerFileError.closed`.
    public func close() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            closeDescriptor(s.fd)
            closeDescriptor(s.lockFD)
        }
    }

    // MARK: LedgerStore

    public func load() async throws -> [LedgerEntry] { try loadEntries() }

    public func head() async throws -> LedgerHead? { try currentHead() }

    /// The checkpoint is not kept: a file ledger is anchored by the Evolution's status.
    /// The write and its fdatasync (150 µs or more) block a thread, so they run on one of
    /// Dispatch's, not on one of the few threads every async task shares.
    public func append(_ entries: [LedgerEntry], after expected: LedgerHead?, checkpoint: LedgerCheckpoint?) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global(qos: .userInitiated).async {
                do { try self.appendEntries(entries, after: expected); done.resume() } catch { done.resume(throwing: error) }
            }
        }
    }

    // MARK: Synchronous API

    /// Every entry in the file, in order.
    public func loadEntries() throws(LedgerFileError) -> [LedgerEntry] {
        let bytes = try state.withLock { s throws(LedgerFileError) -> [UInt8] in
            guard !s.closed else { throw .closed(path: path) }
            return try Self.readAll(fd: s.fd, path: path)
        }
        return try Self.parseLines(bytes, path: path, evolution: evolution)
    }

    public func currentHead() throws(LedgerFileError) -> LedgerHead? {
        try state.withLock { s throws(LedgerFileError) in
            guard !s.closed else { throw .closed(path: path) }
            return s.head
        }
    }

    /// Appends one batch if the head is still `expected` (see `LedgerStore.append`).
    public func appendEntries(_ entries: [LedgerEntry], after expected: LedgerHead?) throws {
        try state.withLock { s throws in
            guard !s.closed else { throw LedgerFileError.closed(path: path) }
            guard s.head == expected else { throw LedgerStoreError.headMoved(expected: expected, actual: s.head) }
            try LedgerStoreError.checkExtends(s.head, with: entries, evolution: evolution)
            guard let last = entries.last else { return }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(entries.count * 448)
            do {
                if options.sync == .perEntry {
                    for entry in entries {
                        buffer.removeAll(keepingCapacity: true)
                        entry.writeLine(into: &buffer)
                        try writeAll(buffer, fd: s.fd)
                        try Self.sync(fd: s.fd, path: path)
                    }
                } else {
                    for entry in entries { entry.writeLine(into: &buffer) }
                    try writeAll(buffer, fd: s.fd)
                    if options.sync == .perBatch { try Self.sync(fd: s.fd, path: path) }
                }
            } catch {
                // Leave only whole batches behind; if even that fails, refuse further appends.
                if ftruncate(s.fd, off_t(s.size)) != 0 {
                    s.closed = true
                    closeDescriptor(s.fd)
                    closeDescriptor(s.lockFD)
                }
                throw error
            }
            s.size = Int(lseek(s.fd, 0, SEEK_END))
            s.head = last.asHead
        }
    }

    private func writeAll(_ bytes: [UInt8], fd: Int32) throws(LedgerFileError) {
        let failure: Int32? = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                var length = raw.count - offset
                if let (chunk, pause) = options.tornWriteSimulation {
                    length = min(length, max(chunk, 1))
                    if offset > 0, pause > 0 { usleep(pause) }
                }
                let n = write(fd, raw.baseAddress! + offset, length)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure { throw .system(path: path, operation: "write", errno: failure) }
    }

    // MARK: File names

    /// `<namespace>_<name>_<uid>.jsonl`, each part percent-encoded outside
    /// `[A-Za-z0-9.-]` (so `_` separates unambiguously and no part can hold `/`).
    /// Names that would exceed 200 bytes keep a 120-byte prefix plus `~` and 16 hex
    /// digits of the SHA-256 of the full name, staying within file-name limits.
    public static func fileName(for evolution: EvolutionRef) -> String {
        var base = [evolution.namespace, evolution.name, evolution.uid].map(sanitize).joined(separator: "_")
        if base.utf8.count > 200 {
            let digest = LedgerHash(SHA256.hash(data: Array(base.utf8)))
            base = String(base.prefix(120)) + "~" + digest.hex.prefix(16)
        }
        return base + ".jsonl"
    }

    static func sanitize(_ part: String) -> String {
        var out = ""
        for byte in part.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

/// `close(2)`, named apart from `FileLedgerStore.close()`.
@inline(__always)
func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
