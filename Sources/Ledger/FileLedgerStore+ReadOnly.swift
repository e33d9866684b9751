#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileLedgerStore {
    /// A ledger file read without its lock, for looking while a controller appends.
    public struct Snapshot: Sendable {
        public var path: String
        /// The whole entries, in file order.
        public var entries: [LedgerEntry]
        /// An unterminated last line, left out and not cut: an append in progress, or
        /// a torn write the next opener of the store will cut.
        public var unterminatedTail: LedgerRecovery?
    }

    /// Reads the ledger of `evolution` under `directory` without taking its lock and
    /// without changing the file. Malformed or foreign lines are errors, as on open.
    public static func read(directory: String, evolution: EvolutionRef) throws(LedgerFileError) -> Snapshot {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return try read(path: base + fileName(for: evolution), evolution: evolution)
    }

    static func read(path: String, evolution: EvolutionRef?) throws(LedgerFileError) -> Snapshot {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .system(path: path, operation: "open", errno: errno) }
        defer { closeDescriptor(fd) }
        var bytes = try readAll(fd: fd, path: path)
        let whole = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        var tail: LedgerRecovery?
        if whole < bytes.count {
            let line = bytes[..<whole].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } + 1
            tail = LedgerRecovery(path: path, line: line, offset: whole, droppedBytes: bytes.count - whole)
            bytes.removeSubrange(whole...)
        }
        var owner = evolution
        if owner == nil { owner = try firstEntry(bytes, path: path)?.evolution }
        var entries: [LedgerEntry] = []
        if let owner { entries = try parseLines(bytes, path: path, evolution: owner) }
        return Snapshot(path: path, entries: entries, unterminatedTail: tail)
    }

    /// The first whole line's entry (whose ledger a file is), or nil for an empty file.
    static func firstEntry(_ bytes: [UInt8], path: String) throws(LedgerFileError) -> LedgerEntry? {
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        do throws(LedgerEntryDecodingError) {
            return try bytes.withUnsafeBufferPointer { buffer throws(LedgerEntryDecodingError) in
                try LedgerEntry(jsonLine: UnsafeBufferPointer(rebasing: buffer[..<end]))
            }
        } catch {
            throw .corruptLine(path: path, line: 1, reason: error.description)
        }
    }

    /// The evolutions with a ledger file under `directory` (optionally only those named
    /// `name`), read from each file's first entry, sorted by namespace, name and uid.
    /// Empty files (a ledger opened but never appended to) name no evolution and are skipped.
    public static func ledgers(in directory: String, name: String? = nil) throws(LedgerFileError) -> [EvolutionRef] {
        guard let dir = opendir(directory) else { throw .system(path: directory, operation: "open directory", errno: errno) }
        var files: [String] = []
        while let entry = readdir(dir) {
            let fileName = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if fileName.hasSuffix(".jsonl") { files.append(fileName) }
        }
        closedir(dir)
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var found: [EvolutionRef] = []
        for file in files.sorted() {
            let path = base + file
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw .system(path: path, operation: "open", errno: errno) }
            let bytes: [UInt8]
            do throws(LedgerFileError) { bytes = try readAll(fd: fd, path: path) } catch {
                closeDescriptor(fd)
                throw error
            }
            closeDescriptor(fd)
            guard let first = try firstEntry(bytes, path: path)?.evolution else { continue }
            if let name, first.name != name { continue }
            found.append(first)
        }
        return found.sorted { ($0.namespace, $0.name, $0.uid) < ($1.namespace, $1.name, $1.uid) }
    }
}
