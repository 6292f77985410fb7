import TurnoutMetrics
import TurnoutPosix

/// One upstream attempt's clock and byte counts. Plain integers on the connection: starting
/// and ending an attempt costs a clock read and a few adds, no allocation.
struct AttemptMeter {
    /// When the attempt was attached to its connection: the request is about to be sent.
    var startedAt: UInt64 = 0
    /// When the final response head arrived; 0 before.
    var firstByteAt: UInt64 = 0
    var bytesSent: UInt64 = 0
    var bytesReceived: UInt64 = 0

    @inline(__always)
    mutating func begin() {
        self = AttemptMeter(startedAt: monotonicNanoseconds())
    }
}

extension ClientConnection {
    /// The attached server answered with `response.status`: its latency (attempt start to now,
    /// the last response byte or the moment the answer was cut short), time to first byte and
    /// bytes go into its traffic.
    func recordResponse() {
        guard let server = exchange.upstream?.server else { return }
        let now = monotonicNanoseconds()
        let firstByte = exchange.meter.firstByteAt == 0 ? now : exchange.meter.firstByteAt
        server.traffic.stats.recordResponse(status: response.status, latencyNanoseconds: now &- exchange.meter.startedAt,
                                            firstByteNanoseconds: firstByte &- exchange.meter.startedAt)
        server.traffic.stats.recordBytes(sent: exchange.meter.bytesSent, received: exchange.meter.bytesReceived)
        exchange.meter = AttemptMeter()
        countOutcome(on: server, failed: response.status >= 500)
    }

    /// The attached server failed this attempt in the way `kind` says.
    func recordFailure(_ kind: UpstreamErrorKind) {
        guard let server = exchange.upstream?.server else { return }
        server.traffic.stats.recordError(kind)
        server.traffic.stats.recordBytes(sent: exchange.meter.bytesSent, received: exchange.meter.bytesReceived)
        exchange.meter = AttemptMeter()
        if kind == .connect { countOutcome(on: server, failed: true) }
    }

    /// Outlier detection (SPEC §4): connect failures and 5xx answers in a row. At the threshold
    /// the server is reported once and the count starts over; any other answer resets it.
    @inline(__always)
    func countOutcome(on server: ServerRuntime, failed: Bool) {
        guard failed else {
            server.consecutiveFailures = 0
            return
        }
        server.consecutiveFailures += 1
        if server.consecutiveFailures >= settings.outlierThreshold {
            server.consecutiveFailures = 0
            worker.outliers.report(pool: exchange.pool?.definition.name ?? "", server: server.definition.label)
        }
    }
}
