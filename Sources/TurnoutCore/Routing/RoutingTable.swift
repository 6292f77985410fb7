import TurnoutConfig
import TurnoutHTTP
import TurnoutPosix

/// What routing decided for one request.
public enum RouteDecision: Equatable, Sendable {
    /// Send to this pool (index into the snapshot's pools); `route` is the matching route's position.
    case pool(Int, route: Int)
    /// No route matched: the proxy answers 404.
    case noRoute
}

/// An upstream server as the routing snapshot knows it.
public struct ServerDefinition: Sendable, Equatable {
    public let address: SocketAddress
    /// `host:port` as written in the configuration, for status, logs and metrics labels.
    public let label: String
    public let weight: Int
}

/// A pool as the routing snapshot knows it. Pools are identified by index within a snapshot.
public struct PoolDefinition: Sendable, Equatable {
    public let name: String
    /// The name as bytes, for the `X-Turnout-Pool` response header.
    public let nameBytes: [UInt8]
    public let servers: [ServerDefinition]
    public let balance: Balance
    /// Server i is in the set: it gets no new requests (drained by an operator, down by its
    /// health checks, or ejected as an outlier); its in-flight requests finish.
    public let unavailable: ServerSet
}

/// One immutable routing snapshot: pools, splits with their weights, ordered routes. Every
/// worker holds a reference and routes each request by whichever snapshot it holds at that
/// moment; a change builds a new snapshot and posts it to every worker, so no request ever
/// sees a half-updated table and the read path takes no lock.
public final class RoutingTable: Sendable {
    public let pools: [PoolDefinition]
    public let splits: [SplitTable]
    public let routes: [CompiledRoute]

    public init(pools: [PoolDefinition], splits: [SplitTable], routes: [CompiledRoute]) {
        self.pools = pools
        self.splits = splits
        self.routes = routes
    }

    /// Compiles a validated configuration. `weights` overrides a split's configured weights
    /// (runtime changes); pools not named there get 0. `unavailable` names, per pool, the server
    /// labels (`host:port`) that take no new requests.
    public convenience init(config: Config, weights overrides: [String: [String: Int]] = [:],
                            unavailable: [String: Set<String>] = [:]) throws(RoutingError) {
        var pools: [PoolDefinition] = []
        var poolIndex: [String: Int] = [:]
        for pool in config.pools {
            var servers: [ServerDefinition] = []
            for server in pool.servers {
                guard let address = SocketAddress(host: server.address.host, port: server.address.port) else {
                    throw RoutingError("pools.\(pool.name): cannot use server address \(server.address)")
                }
                servers.append(ServerDefinition(address: address, label: server.address.description, weight: server.weight))
            }
            var unavailableServers = ServerSet()
            for (i, server) in servers.enumerated() where unavailable[pool.name]?.contains(server.label) == true {
                unavailableServers.insert(i)
            }
            poolIndex[pool.name] = pools.count
            pools.append(PoolDefinition(name: pool.name, nameBytes: Array(pool.name.utf8), servers: servers,
                                        balance: pool.balance, unavailable: unavailableServers))
        }
        var splits: [SplitTable] = []
        var splitIndex: [String: Int] = [:]
        for split in config.splits {
            let weights = overrides[split.name] ?? split.weights
            let names = split.weights.keys.sorted()
            let indices = try names.map { name throws(RoutingError) -> Int in
                guard let index = poolIndex[name] else { throw RoutingError("splits.\(split.name): unknown pool \"\(name)\"") }
                return index
            }
            let values = names.map { weights[$0] ?? 0 }
            guard values.allSatisfy({ $0 >= 0 }), values.contains(where: { $0 > 0 }) else {
                throw RoutingError("splits.\(split.name): weights must be non-negative and not all zero")
            }
            splitIndex[split.name] = splits.count
            splits.append(SplitTable(name: split.name, poolIndices: indices, weights: values))
        }
        // The top-level mirror is one policy for every route that inherits it (one in-flight
        // bound), a route's own block another.
        func mirrorPolicy(_ mirror: MirrorConfig, slot: Int, at path: String) throws(RoutingError) -> MirrorPolicy {
            guard let shadow = poolIndex[mirror.pool] else { throw RoutingError("\(path): unknown pool \"\(mirror.pool)\"") }
            return MirrorPolicy(slot: slot, config: mirror, shadowPool: shadow)
        }
        let topLevelMirror = try config.mirror.map { mirror throws(RoutingError) in try mirrorPolicy(mirror, slot: 0, at: "mirror") }
        var routes: [CompiledRoute] = []
        for (position, route) in config.routes.enumerated() {
            let target: CompiledTarget
            switch route.target {
            case .pool(let name):
                guard let index = poolIndex[name] else { throw RoutingError("routes[\(position)]: unknown pool \"\(name)\"") }
                target = .pool(index)
            case .split(let name):
                guard let index = splitIndex[name] else { throw RoutingError("routes[\(position)]: unknown split \"\(name)\"") }
                target = .split(index)
            }
            let sticky: StickySource? = route.sticky.map {
                switch $0 {
                case .cookie(let name): return .cookie(Array(name.utf8))
                case .header(let name): return .header(Array(name.lowercased().utf8))
                }
            }
            func conditions(_ matches: [FieldMatch], lowercaseNames: Bool) -> [FieldCondition] {
                matches.map { match in
                    let value: [UInt8]?
                    switch match.value {
                    case .present: value = nil
                    case .exact(let text): value = Array(text.utf8)
                    }
                    return FieldCondition(name: Array((lowercaseNames ? match.name.lowercased() : match.name).utf8), value: value)
                }
            }
            let mirror: MirrorPolicy?
            switch route.mirror {
            case .inherit: mirror = topLevelMirror
            case .off: mirror = nil
            case .mirror(let own): mirror = try mirrorPolicy(own, slot: position + 1, at: "routes[\(position)].mirror")
            }
            let match = route.match
            routes.append(CompiledRoute(
                host: match.host.map { Array($0.utf8) }, pathPrefix: match.pathPrefix.map { Array($0.utf8) },
                method: match.method.map { Array($0.utf8) }, headers: conditions(match.headers, lowercaseNames: true),
                cookies: conditions(match.cookies, lowercaseNames: false), query: conditions(match.query, lowercaseNames: false),
                target: target, sticky: sticky, mirror: mirror))
        }
        self.init(pools: pools, splits: splits, routes: routes)
    }

    /// First matching route wins; a split picks its pool by the request's sticky bucket when
    /// the key is present, else by `randomBucket` (uniform in [0, 10,000)).
    @inlinable
    public func route(_ head: borrowing RequestHead, source: UnsafeRawBufferPointer, randomBucket: @autoclosure () -> Int) -> RouteDecision {
        for (position, route) in routes.enumerated() where route.matches(head, source: source) {
            switch route.target {
            case .pool(let index):
                return .pool(index, route: position)
            case .split(let index):
                let bucket: Int
                if let key = route.stickyKey(head, source: source) {
                    bucket = StickyHash.bucket(of: UnsafeRawBufferPointer(rebasing: source[key]))
                } else {
                    bucket = randomBucket()
                }
                return .pool(splits[index].pool(forBucket: bucket), route: position)
            }
        }
        return .noRoute
    }

    public func poolIndex(named name: String) -> Int? { pools.firstIndex { $0.name == name } }
    public func splitIndex(named name: String) -> Int? { splits.firstIndex { $0.name == name } }
}

/// A configuration the routing layer cannot compile (validation normally catches these first).
public struct RoutingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
