/// A named group of upstream servers that serve the same release (blue, green, canary, …).
public struct PoolConfig: Sendable, Equatable {
    /// The pool's name, as used by routes, splits, the admin API and the `X-Turnout-Pool` header.
    public var name: String
    /// The servers, in file order (at least one; no address twice).
    public var servers: [ServerConfig]
    /// How requests are spread over the servers.
    public var balance: Balance

    /// Creates a pool.
    public init(name: String, servers: [ServerConfig], balance: Balance = .roundRobin) {
        self.name = name
        self.servers = servers
        self.balance = balance
    }
}

/// One upstream server of a pool.
public struct ServerConfig: Sendable, Equatable {
    /// Where the server listens.
    public var address: ServerAddress
    /// Relative share of the pool's traffic, 1...1_000_000. (There is no weight 0: a server is
    /// taken out of rotation with the admin `drain` verb, which lets in-flight requests finish.)
    public var weight: Int

    /// Creates a server entry.
    public init(address: ServerAddress, weight: Int = 1) {
        self.address = address
        self.weight = weight
    }
}

/// The balancing algorithm inside a pool.
public enum Balance: String, Sendable, Equatable, CaseIterable {
    /// Smooth weighted round robin, as nginx does (`"round_robin"`, the default).
    case roundRobin = "round_robin"
    /// Power of two choices on in-flight requests, weighted (`"least_request"`).
    case leastRequest = "least_request"
}
