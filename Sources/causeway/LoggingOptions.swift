import ArgumentParser
import ControllerRuntime
import Logging

/// `--log-format` and `--log-level`, shared by the commands that run the controller.
struct LoggingOptions: ParsableArguments {
    @Option(help: "json (one object per line) or text; default: json unless standard error is a terminal.")
    var logFormat: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func validate() throws {
        if let logFormat, LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format must be json or text, not \"\(logFormat)\"") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(logLevel)\"")
        }
    }

    /// Sets up swift-log for this process (once) and returns the root logger.
    func bootstrap(defaultLevel: Logger.Level) -> Logger {
        let format = logFormat.flatMap(LogFormat.init(rawValue:)) ?? .automatic
        let level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: format, level: level) }
        return Logger(label: "causeway")
    }
}
