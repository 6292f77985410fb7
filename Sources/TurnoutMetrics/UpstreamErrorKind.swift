/// Why an attempt to an upstream server failed without a (whole) response. The raw value indexes
/// `TrafficStats.errors`, so the cases keep their order.
public enum UpstreamErrorKind: Int, CaseIterable, Sendable {
    /// Refused, or the connect timed out.
    case connect
    /// No response within the response timeout.
    case timeout
    /// The connection closed or reset before or during the response.
    case reset
    /// Not a valid HTTP/1.1 response.
    case invalid

    /// The label used in `/stats` and `/metrics`.
    public var name: String {
        switch self {
        case .connect: return "connect"
        case .timeout: return "timeout"
        case .reset: return "reset"
        case .invalid: return "invalid"
        }
    }
}
