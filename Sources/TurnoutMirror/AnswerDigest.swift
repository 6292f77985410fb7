/// What the comparison needs of one answer (a primary's or a shadow's): its status and a digest of
/// its body, kept instead of the body itself so comparing costs no memory per request.
public struct AnswerDigest: Sendable, Equatable {
    /// The response status code.
    public var status: Int
    /// Body bytes received, counted in full even past the compare limit.
    public var bodyBytes: Int64
    /// `BodyDigest` value of the body's first `min(bodyBytes, compareLimit)` bytes.
    public var digest: UInt64
    /// Whether the whole body was within the compare limit, so `digest` covers all of it. Two
    /// bodies are compared only when both are complete: equal prefixes say nothing about the rest.
    public var complete: Bool

    public init(status: Int, bodyBytes: Int64, digest: UInt64, complete: Bool) {
        self.status = status
        self.bodyBytes = bodyBytes
        self.digest = digest
        self.complete = complete
    }
}
