/// One upstream server as one worker sees it: its idle keep-alive connections, how many
/// requests this worker has in flight to it, the balancer's running weight and its traffic. Owned by one
/// worker; never shared.
public final class ServerRuntime {
    public let definition: ServerDefinition
    /// Idle connections, most recently used last: reusing the warmest one keeps the fewest
    /// connections open and hits the upstream's keep-alive timeout least.
    var idle: [UpstreamConnection] = []
    public internal(set) var inFlight = 0
    /// Smooth weighted round robin's current weight (nginx's algorithm).
    var currentWeight = 0
    /// Set when a reload removed this server: its connections close instead of being pooled.
    var retired = false
    /// Where this worker records the server's responses, errors, bytes and latency.
    let traffic: TrafficCell
    /// Connect failures and 5xx answers in a row seen by this worker, for outlier ejection.
    var consecutiveFailures = 0

    init(definition: ServerDefinition, traffic: TrafficCell) {
        self.definition = definition
        self.traffic = traffic
    }

    public var idleCount: Int { idle.count }
}
