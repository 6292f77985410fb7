/// A route in `/status`, as it would be written in the configuration, with the mirror in force
/// for it.
public struct RouteDocument: Codable, Sendable, Equatable {
    public var match: RouteMatchDocument
    /// The target: a pool or a split, one of the two.
    public var pool: String?
    public var split: String?
    /// Left out when the route has no stickiness.
    public var sticky: StickyDocument?
    /// The route's own mirror block, or the top level's it inherits; null for none.
    @Nullable public var mirror: MirrorConfigDocument?
}

/// A route's `match`: only the conditions it has (`{}` matches everything).
public struct RouteMatchDocument: Codable, Sendable, Equatable {
    public var host: String?
    public var pathPrefix: String?
    public var method: String?
    /// Field name to value; `*` for "present, any value".
    public var header: [String: String]?
    public var cookie: [String: String]?
    public var query: [String: String]?

    enum CodingKeys: String, CodingKey {
        case host, pathPrefix = "path_prefix", method, header, cookie, query
    }
}

/// A route's `sticky`: the cookie or the header whose value is hashed, one of the two.
public struct StickyDocument: Codable, Sendable, Equatable {
    public var cookie: String?
    public var header: String?
}

/// A mirror block as it would be written in the configuration (SPEC §10).
public struct MirrorConfigDocument: Codable, Sendable, Equatable {
    public var pool: String
    public var percent: Double
    public var methods: [String]
    public var compare: Bool
    public var noise: Bool
    public var maxBodyBytes: Int
    public var maxInFlight: Int
    public var compareBodyBytes: Int

    enum CodingKeys: String, CodingKey {
        case pool, percent, methods, compare, noise, maxBodyBytes = "max_body_bytes", maxInFlight = "max_in_flight",
             compareBodyBytes = "compare_body_bytes"
    }
}
