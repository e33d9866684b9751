#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileLedgerStore {
    /// Opens (creating) the lock file and takes an exclusive, non-blocking `flock`.
    static func acquireLock(_ lockPath: String) throws(LedgerFileError) -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .system(path: lockPath, operation: "open", errno: errno) }
        var waitsForOwnLock = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK {
                let holder = (try? readAll(fd: fd, path: lockPath)).flatMap { bytes in
                    Int32(String(decoding: bytes, as: UTF8.self).trimmingSpaces)
                }
                // Our own pid: a store of this process closed it a moment ago, but a child being
                // spawned (an exec credential plugin, a test's kubectl) still shares the lock's open
                // file until its exec closes it (O_CLOEXEC). That passes within milliseconds; a
                // second store really open in this process does not, and is reported.
                if holder == getpid(), waitsForOwnLock < 40 {
                    waitsForOwnLock += 1
                    usleep(5_000)
                    continue
                }
                closeDescriptor(fd)
                throw .locked(path: lockPath, holderPID: holder)
            }
            closeDescriptor(fd)
            throw .system(path: lockPath, operation: "flock", errno: code)
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) != 0 || pid.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) != pid.count {
            let code = errno
            closeDescriptor(fd)
            throw .system(path: lockPath, operation: "write pid", errno: code)
        }
        return fd
    }

    /// Reads the file, cuts an unterminated last line, and finds the head.
    static func openContents(fd: Int32, path: String, evolution: EvolutionRef) throws(LedgerFileError)
        -> (head: LedgerHead?, size: Int, recovery: LedgerRecovery?)
    {
        let bytes = try readAll(fd: fd, path: path)
        let newline = UInt8(ascii: "\n")
        let lastNewline = bytes.lastIndex(of: newline)
        let wholeLength = lastNewline.map { $0 + 1 } ?? 0
        let completeLines = bytes[..<wholeLength].reduce(0) { $0 + ($1 == newline ? 1 : 0) }
        var recovery: LedgerRecovery?
        if wholeLength < bytes.count {
            if ftruncate(fd, off_t(wholeLength)) != 0 { throw .system(path: path, operation: "truncate torn tail", errno: errno) }
            try sync(fd: fd, path: path)
            recovery = LedgerRecovery(path: path, line: completeLines + 1, offset: wholeLength,
                                      droppedBytes: bytes.count - wholeLength)
        }
        guard let lastNewline else { return (nil, 0, recovery) }
        let lineStart = bytes[..<lastNewline].lastIndex(of: newline).map { $0 + 1 } ?? 0
        let entry = try bytes.withUnsafeBufferPointer { buffer throws(LedgerFileError) in
            try parseLine(UnsafeBufferPointer(rebasing: buffer[lineStart..<lastNewline]), line: completeLines,
                          path: path, evolution: evolution)
        }
        return (entry.asHead, wholeLength, recovery)
    }

    static func parseLines(_ bytes: [UInt8], path: String, evolution: EvolutionRef) throws(LedgerFileError) -> [LedgerEntry] {
        try bytes.withUnsafeBufferPointer { buffer throws(LedgerFileError) in
            var entries: [LedgerEntry] = []
            var start = 0
            var line = 0
            while start < buffer.count {
                line += 1
                guard let raw = memchr(buffer.baseAddress! + start, Int32(UInt8(ascii: "\n")), buffer.count - start) else {
                    throw .corruptLine(path: path, line: line, reason: "incomplete last line (no newline)")
                }
                let end = buffer.baseAddress!.distance(to: raw.assumingMemoryBound(to: UInt8.self))
                entries.append(try parseLine(UnsafeBufferPointer(rebasing: buffer[start..<end]), line: line,
                                             path: path, evolution: evolution))
                start = end + 1
            }
            return entries
        }
    }

    static func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, path: String,
                          evolution: EvolutionRef) throws(LedgerFileError) -> LedgerEntry {
        let entry: LedgerEntry
        do {
            entry = try LedgerEntry(jsonLine: bytes)
        } catch {
            throw .corruptLine(path: path, line: line, reason: error.description)
        }
        if entry.evolution != evolution { throw .foreignEntry(path: path, line: line, evolution: entry.evolution) }
        return entry
    }

    static func readAll(fd: Int32, path: String) throws(LedgerFileError) -> [UInt8] {
        var info = stat()
        if fstat(fd, &info) != 0 { throw .system(path: path, operation: "stat", errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while true {
            if offset == bytes.count { bytes.append(contentsOf: repeatElement(0, count: 4096)) }  // grew meanwhile
            let n = bytes.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + offset, raw.count - offset, off_t(offset))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            offset += n
        }
        bytes.removeSubrange(offset...)
        return bytes
    }

    static func sync(fd: Int32, path: String) throws(LedgerFileError) {
        #if canImport(Darwin)
        if fcntl(fd, F_FULLFSYNC) == 0 { return }
        #endif
        #if canImport(Glibc)
        let result = fdatasync(fd)
        #else
        let result = fsync(fd)
        #endif
        if result != 0 { throw .system(path: path, operation: "fsync", errno: errno) }
    }

    static func syncDirectory(_ directory: String) throws(LedgerFileError) {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(path: directory, operation: "open directory", errno: errno) }
        defer { closeDescriptor(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw .system(path: directory, operation: "fsync directory", errno: errno) }
    }

    static func makeDirectories(_ directory: String) throws(LedgerFileError) {
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw .system(path: path, operation: "mkdir", errno: errno)
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
