#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What went wrong with a ledger file, always naming the file (and the line, for content).
public enum LedgerFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another `FileLedgerStore` (in this or another process) holds the evolution's lock.
    case locked(path: String, holderPID: Int32?)
    /// A line that is not a ledger entry. Never repaired: only an unterminated last
    /// line (a torn write) is cut, and that is reported as a `LedgerRecovery`.
    case corruptLine(path: String, line: Int, reason: String)
    /// A well-formed entry of another evolution (a foreign or misplaced file).
    case foreignEntry(path: String, line: Int, evolution: EvolutionRef)
    /// A system call failed.
    case system(path: String, operation: String, errno: Int32)
    /// The store was closed.
    case closed(path: String)

    public var description: String {
        switch self {
        case .locked(let path, let pid):
            let holder: String
            if let pid, pid == getpid() {
                holder = "this process (pid \(pid)): another FileLedgerStore for the same evolution is open"
            } else if let pid {
                holder = "process \(pid)"
            } else {
                holder = "another process"
            }
            return "ledger lock \(path) is held by \(holder); only one appender may write a ledger"
        case .corruptLine(let path, let line, let reason):
            return "\(path):\(line): not a valid ledger entry: \(reason)"
        case .foreignEntry(let path, let line, let evolution):
            return "\(path):\(line): entry belongs to another evolution, \(evolution)"
        case .system(let path, let operation, let code):
            return "\(path): \(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .closed(let path):
            return "\(path): the ledger store is closed"
        }
    }
}

/// A torn tail found and cut when a ledger file was opened: the last line had no
/// terminating newline, so the write that produced it never completed (and was
/// never acknowledged). Whole entries before it are kept.
public struct LedgerRecovery: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The 1-based line number of the cut fragment.
    public var line: Int
    /// Where the file now ends.
    public var offset: Int
    public var droppedBytes: Int

    public var description: String {
        "\(path):\(line): cut an incomplete last line (\(droppedBytes) bytes at offset \(offset)) left by an interrupted write"
    }
}
