import Foundation

/// Kubernetes MicroTime: RFC 3339 in UTC with exactly six fractional digits.
///
/// The API server rejects a Lease whose acquireTime or renewTime has no
/// fraction or only milliseconds (400, KUBE-API.md §7.1), so the digits are
/// computed here rather than trusted to a formatter's precision.
public enum MicroTime {
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let (whole, fraction) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1_000_000)
                                                      : (seconds.quotient, seconds.remainder)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(whole)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(Int(fraction), 6))Z"
    }
}
