/// What the mirror's counts are kept per: the route that matched, the primary pool that answered
/// the client, and the shadow pool that got the copy. Comparable so reports list keys in a
/// stable order.
public struct MirrorKey: Hashable, Sendable, Comparable {
    /// The route, as the configuration names it (e.g. "routes[0]").
    public var route: String
    /// The primary pool the request went to.
    public var pool: String
    /// The shadow pool the copy went to.
    public var shadow: String

    public init(route: String, pool: String, shadow: String) {
        self.route = route
        self.pool = pool
        self.shadow = shadow
    }

    /// Ordered by route, then pool, then shadow.
    public static func < (lhs: MirrorKey, rhs: MirrorKey) -> Bool {
        (lhs.route, lhs.pool, lhs.shadow) < (rhs.route, rhs.pool, rhs.shadow)
    }
}
