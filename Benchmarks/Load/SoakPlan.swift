import TurnoutPosix

/// The three kinds of connection a soak holds against a proxy.
public enum SoakKind: Int, Sendable, CaseIterable {
    /// Trickles a request head one byte at a time and never finishes it.
    case slowloris
    /// Sends one keep-alive request, reads the answer, then sits idle.
    case idle
    /// Sends keep-alive requests back to back (or with a pause) and times each one.
    case fast

    /// The name the soak's report uses.
    public var name: String {
        switch self {
        case .slowloris: "slowloris"
        case .idle: "idle"
        case .fast: "fast"
        }
    }
}

/// What a soak sends where, how many connections of each kind, and its pacing. Durations are
/// in nanoseconds, as the event loop's clock counts them.
public struct SoakPlan: Sendable {
    public var address: SocketAddress
    /// The whole request idle and fast connections send (`GET … HTTP/1.1`, ending in an empty line).
    public var request: [UInt8]
    /// What a slowloris connection trickles: the request without its final empty line, then
    /// header fields of `filler` for ever, so the head never ends and no line grows unbounded.
    public let slowlorisPrefix: [UInt8]
    public let filler: [UInt8] = Array("X-Soak-Slowloris: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
    public var slowloris: Int
    public var idle: Int
    public var fast: Int
    /// Event-loop threads the connections are spread over.
    public var threads: Int
    /// Time between two bytes of a slowloris connection.
    public var trickleInterval: UInt64 = 300_000_000
    /// Think time of a fast connection between a response and its next request (0: back to back).
    public var fastPause: UInt64 = 0
    /// A response (idle or fast) or a connect that takes longer is counted as a timeout and its
    /// connection is replaced: no wait in the soak is unbounded.
    public var timeout: UInt64 = 5_000_000_000

    /// `request` must be a complete request head with no body (it ends with CRLF CRLF).
    public init(address: SocketAddress, request: [UInt8], slowloris: Int, idle: Int, fast: Int, threads: Int = 1) {
        precondition(request.count >= 4 && request.suffix(4).elementsEqual([13, 10, 13, 10]), "the request must end with an empty line")
        self.address = address
        self.request = request
        slowlorisPrefix = Array(request.dropLast(2))
        self.slowloris = slowloris
        self.idle = idle
        self.fast = fast
        self.threads = max(1, threads)
    }

    /// A plan for `GET path` to a numeric `host:port`.
    public init?(host: String, port: UInt16, path: String = "/", slowloris: Int, idle: Int, fast: Int, threads: Int = 1) {
        guard let address = SocketAddress(host: host, port: port) else { return nil }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        self.init(address: address, request: Array("GET \(path) HTTP/1.1\r\nHost: \(authority)\r\n\r\n".utf8),
                  slowloris: slowloris, idle: idle, fast: fast, threads: threads)
    }

    /// The `index`-th byte a slowloris connection sends.
    @inline(__always)
    func slowlorisByte(_ index: Int) -> UInt8 {
        index < slowlorisPrefix.count ? slowlorisPrefix[index] : filler[(index - slowlorisPrefix.count) % filler.count]
    }

    /// Connections of every kind: the soak's descriptor need, less a few for its loops.
    public var connections: Int { slowloris + idle + fast }
}
