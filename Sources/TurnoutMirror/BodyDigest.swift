/// A streaming 64-bit digest of a message body (placeholder until the mirror's pure half lands).
public struct BodyDigest: Sendable, Equatable {
    public private(set) var value: UInt64 = 0
    public init() {}
}
