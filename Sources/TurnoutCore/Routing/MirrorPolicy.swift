import TurnoutConfig
import TurnoutHTTP

/// A route's `mirror` block compiled for the data path (SPEC §10): which requests are copied,
/// where to, and within which bounds. Shared by every route the block applies to, so that a
/// top-level block's `max_in_flight` bounds all of its routes together.
public final class MirrorPolicy: Sendable {
    /// Which block this is: 0 for the top level, 1 + the route's position for a route's own.
    /// Workers count their shadow exchanges in flight per slot.
    public let slot: Int
    /// The shadow pool (index into the snapshot's pools) and its name.
    public let shadowPool: Int
    public let shadowName: String
    /// A request is copied when a uniform draw in [0, `samplingScale`) falls below this.
    public let samplingThreshold: Int
    /// The listed methods Turnout recognises, one bit per `HTTPMethod` raw value, and the
    /// others as their exact tokens.
    let methodBits: UInt16
    let otherMethods: [[UInt8]]
    public let compare: Bool
    public let noise: Bool
    public let maxBodyBytes: Int64
    public let maxInFlight: Int
    public let compareBodyBytes: Int

    /// The resolution of `percent`: one in a million, so 0.0001 % is the smallest share.
    public static let samplingScale = 1_000_000

    init(slot: Int, config: MirrorConfig, shadowPool: Int) {
        self.slot = slot
        self.shadowPool = shadowPool
        shadowName = config.pool
        samplingThreshold = Int((config.percent / 100 * Double(Self.samplingScale)).rounded())
        var bits: UInt16 = 0
        var others: [[UInt8]] = []
        for name in config.methods {
            let token = Array(name.utf8)
            let method = token.withUnsafeBytes { HTTPMethod.recognise($0, 0..<token.count) }
            if method == .other { others.append(token) } else { bits |= 1 << method.rawValue }
        }
        methodBits = bits
        otherMethods = others
        compare = config.compare
        noise = config.noise
        maxBodyBytes = Int64(config.maxBodyBytes)
        maxInFlight = config.maxInFlight
        compareBodyBytes = config.compareBodyBytes
    }

    /// Whether the request's method is one of those mirrored.
    func mirrorsMethod(of head: borrowing RequestHead, source: UnsafeRawBufferPointer) -> Bool {
        if head.method != .other { return methodBits & (1 << head.method.rawValue) != 0 }
        let token = UnsafeRawBufferPointer(rebasing: source[head.methodBytes])
        return otherMethods.contains { $0.withUnsafeBytes { $0.elementsEqual(token) } }
    }
}
