/// One mismatch kept for inspection at `GET /mirror` (SPEC §10): when, where, which request, and
/// both answers.
public struct MirrorMismatch: Sendable, Equatable {
    /// When the comparison was made, in Unix seconds; merged lists are ordered by it.
    public var at: Double
    public var key: MirrorKey
    public var kind: MismatchKind
    /// The request's method and path (the target as the client sent it).
    public var method: String
    public var path: String
    public var primary: RecordedAnswer
    public var shadow: RecordedAnswer

    public init(at: Double, key: MirrorKey, kind: MismatchKind, method: String, path: String,
                primary: RecordedAnswer, shadow: RecordedAnswer) {
        self.at = at
        self.key = key
        self.kind = kind
        self.method = method
        self.path = path
        self.primary = primary
        self.shadow = shadow
    }
}
