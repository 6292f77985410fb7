/// One routing rule: when `match` matches a request, it goes to `target`.
public struct RouteConfig: Sendable, Equatable {
    /// The conditions, all of which must hold; an empty match matches every request.
    public var match: RouteMatch
    /// Where matching requests go.
    public var target: RouteTarget
    /// The request value that keeps a user in one pool of a split; only with a split target.
    public var sticky: StickyKey?
    /// The route's shadow traffic: the top-level mirror (key absent), none (`null`), or its own.
    public var mirror: RouteMirror

    /// Creates a route.
    public init(match: RouteMatch = RouteMatch(), target: RouteTarget, sticky: StickyKey? = nil, mirror: RouteMirror = .inherit) {
        self.match = match
        self.target = target
        self.sticky = sticky
        self.mirror = mirror
    }
}

/// The conditions of a route. Every condition present must hold (logical AND).
public struct RouteMatch: Sendable, Equatable {
    /// The request host, lowercased (compared without the port).
    public var host: String?
    /// A path prefix starting with `/`; compared byte for byte against the request path.
    public var pathPrefix: String?
    /// An uppercase method token (`GET`); methods are case-sensitive in HTTP.
    public var method: String?
    /// Header conditions; names lowercased, sorted by name.
    public var headers: [FieldMatch]
    /// Cookie conditions; names as written (cookie names are case-sensitive), sorted by name.
    public var cookies: [FieldMatch]
    /// Query parameter conditions; names as written, sorted by name.
    public var query: [FieldMatch]

    /// Creates a match; the default matches every request.
    public init(
        host: String? = nil, pathPrefix: String? = nil, method: String? = nil,
        headers: [FieldMatch] = [], cookies: [FieldMatch] = [], query: [FieldMatch] = []
    ) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.method = method
        self.headers = headers
        self.cookies = cookies
        self.query = query
    }

    /// Whether the match has no condition at all (matches every request).
    public var isEmpty: Bool {
        host == nil && pathPrefix == nil && method == nil && headers.isEmpty && cookies.isEmpty && query.isEmpty
    }
}

/// A condition on one named header, cookie or query parameter.
public struct FieldMatch: Sendable, Equatable {
    /// The field name (lowercased for headers).
    public var name: String
    /// What the value must be.
    public var value: FieldMatchValue

    /// Creates a field condition.
    public init(name: String, value: FieldMatchValue) {
        self.name = name
        self.value = value
    }
}

/// The value condition of a `FieldMatch`.
public enum FieldMatchValue: Sendable, Equatable {
    /// The field must be present, with any value (written `"*"` in JSON).
    case present
    /// The field must have exactly this value.
    case exact(String)
}

/// Where a route sends its requests: exactly one pool or one split.
public enum RouteTarget: Sendable, Equatable {
    /// Every request to this pool (`"pool": "canary"`).
    case pool(String)
    /// Each request to one of the split's pools by weight (`"split": "web"`).
    case split(String)
}

/// The request value hashed to keep a user in the same pool of a split.
public enum StickyKey: Sendable, Equatable {
    /// A cookie name, as written (`{"cookie": "session_id"}`).
    case cookie(String)
    /// A header name, lowercased (`{"header": "x-user"}`).
    case header(String)
}
