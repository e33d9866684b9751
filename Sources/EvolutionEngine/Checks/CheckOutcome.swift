/// What one check says about one target right now.
public enum CheckOutcome: Sendable, Hashable {
    case holds
    /// Not yet; the reason is what status shows ("observedGeneration 3 < generation 4").
    case waiting(String)
    /// It never will without a change (kstatus Failed, e.g. ProgressDeadlineExceeded).
    case failed(String)

    /// Combines outcomes: any failure wins, then the first wait.
    static func all(_ outcomes: [CheckOutcome]) -> CheckOutcome {
        if let f = outcomes.first(where: { if case .failed = $0 { return true } else { return false } }) { return f }
        if let w = outcomes.first(where: { if case .waiting = $0 { return true } else { return false } }) { return w }
        return .holds
    }
}
