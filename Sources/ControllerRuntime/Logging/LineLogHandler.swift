import Foundation
import KubeJSON
import Logging
import RFC3339
import Synchronization

/// How log lines look: one JSON object per line (for collectors; the default when
/// stderr is not a terminal), or readable text (for people at a terminal).
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text

    /// JSON unless standard error is a terminal.
    public static var automatic: LogFormat { isatty(2) != 0 ? .text : .json }
}

/// Where log lines go: standard error, or memory (tests read what was logged).
public final class LogSink: Sendable {
    private let keepsLines: Bool
    private let memory = Mutex<[String]>([])
    private let writeLock = Mutex(())

    private init(memory: Bool) { keepsLines = memory }

    public static let standardError = LogSink(memory: false)
    /// Keeps every line, for tests.
    public static func inMemory() -> LogSink { LogSink(memory: true) }

    func write(_ line: String) {
        if keepsLines {
            memory.withLock { $0.append(line) }
            return
        }
        let bytes = Array((line + "\n").utf8)
        writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }

    /// The lines so far (memory sinks only).
    public var lines: [String] { memory.withLock { $0 } }
}

/// A swift-log handler writing one line per event: `time`, `level`, `logger`, `msg`, then
/// the metadata (dotted keys, sorted). Values are what the caller put there: components log
/// names, reasons and error descriptions, never tokens or kubeconfig contents.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let format: LogFormat
    let sink: LogSink

    public init(label: String, format: LogFormat, level: Logger.Level, sink: LogSink = .standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        let time = RFC3339Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)).text(.fixed(digits: 3))
        let fields = merged.sorted { $0.key < $1.key }
        switch format {
        case .json:
            var o: JSONObject = ["time": .string(time), "level": .string(event.level.rawValue), "logger": .string(label),
                                 "msg": .string(event.message.description)]
            for (key, value) in fields where o[key] == nil { o[key] = Self.json(value) }
            sink.write(JSON.object(o).serializedString())
        case .text:
            let level = event.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)
            let rendered = fields.map { key, value in "\(key)=\(Self.quoted("\(value)"))" }
            sink.write(([time, level, "\(label): \(event.message)"] + rendered).joined(separator: " "))
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSON {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let list): return .array(list.map(json))
        case .dictionary(let d): return .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }

    static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : s
    }
}

extension Logger {
    /// A logger that writes nothing: the default of components nobody gave a logger.
    public static func disabled(_ label: String) -> Logger { Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() }) }
}
