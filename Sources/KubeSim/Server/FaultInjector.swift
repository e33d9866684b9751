import Foundation
import KubeJSON

/// Deterministic fault injection (seeded): errors by verb and resource,
/// 429 with Retry-After, latency, connection resets, watches cut after N events.
public struct FaultRule: Sendable, Equatable {
    public enum Effect: Sendable, Equatable {
        /// 500, 503 or 504 with a Status body.
        case error(code: Int)
        case tooManyRequests(retryAfterSeconds: Int)
        case latency(seconds: Double)
        case resetConnection
        /// Watches end (connection closed) after this many events.
        case closeWatchAfter(events: Int)
    }

    /// HTTP methods ("GET", "POST", ...) or nil for all.
    public var methods: Set<String>?
    /// Substring of the path, e.g. "/configmaps"; nil for all.
    public var pathContains: String?
    /// Fraction of matching requests affected (0...1).
    public var rate: Double
    public var effect: Effect

    public init(methods: Set<String>? = nil, pathContains: String? = nil, rate: Double = 1, effect: Effect) {
        self.methods = methods
        self.pathContains = pathContains
        self.rate = rate
        self.effect = effect
    }
}

final class FaultInjector: @unchecked Sendable {
    enum Fault {
        case respond(APIResponse)
        case delay(Double)
        case reset
    }

    private let lock = NSLock()
    private var activeRules: [FaultRule] = []
    private var state: UInt64

    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    var rules: [FaultRule] { lock.withLock { activeRules } }

    func set(_ rules: [FaultRule], seed: UInt64? = nil) {
        lock.withLock {
            activeRules = rules
            if let seed { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
        }
    }

    /// SplitMix64: the same seed gives the same sequence of faults.
    private func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    private func matching(_ request: APIRequest) -> [FaultRule] {
        activeRules.filter { r in
            (r.methods == nil || r.methods!.contains(request.method))
                && (r.pathContains == nil || request.path.contains(r.pathContains!))
                && !request.path.hasPrefix("/kubesim/")
        }
    }

    func fault(for request: APIRequest) -> Fault? {
        lock.withLock {
            for rule in matching(request) {
                if case .closeWatchAfter = rule.effect { continue }
                guard nextUnit() < rule.rate else { continue }
                switch rule.effect {
                case .error(let code):
                    let reason = code == 503 ? "ServiceUnavailable" : code == 504 ? "Timeout" : "InternalError"
                    return .respond(.object(status: code, body: APIError(code: code, reason: reason,
                                                                          message: "injected fault: \(code)").status))
                case .tooManyRequests(let seconds):
                    let e = APIError(code: 429, reason: "TooManyRequests", message: "injected fault: too many requests, please try again later",
                                     details: ["retryAfterSeconds": .int(Int64(seconds))], headers: [("Retry-After", String(seconds))])
                    return .respond(.object(status: 429, body: e.status, headers: e.headers))
                case .latency(let seconds): return .delay(seconds)
                case .resetConnection: return .reset
                case .closeWatchAfter: continue
                }
            }
            return nil
        }
    }

    func watchEventLimit(for request: APIRequest) -> Int? {
        lock.withLock {
            for rule in matching(request) {
                if case .closeWatchAfter(let n) = rule.effect, nextUnit() < rule.rate { return n }
            }
            return nil
        }
    }
}
