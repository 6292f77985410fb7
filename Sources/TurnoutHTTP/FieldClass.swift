/// The fields the proxy treats specially when it forwards a head, recognised by name (ASCII
/// case-insensitive). Everything else is `.endToEnd` and forwarded as received.
enum FieldClass {
    // Hop-by-hop (RFC 9110 §7.6.1) or framing fields the proxy redoes itself.
    case connection, keepAlive, proxyConnection, te, trailer, transferEncoding, contentLength, upgrade
    // Fields the proxy rewrites.
    case host, xForwardedFor, xForwardedProto, xForwardedHost
    case endToEnd

    /// The class of the field named `bytes[name]`. Lengths first: most names are decided by one
    /// switch and no byte comparison.
    static func of(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> FieldClass {
        @inline(__always) func eq(_ literal: StaticString) -> Bool { ASCII.equalsLowercase(bytes, name, literal) }
        switch name.count {
        case 2: return eq("te") ? .te : .endToEnd
        case 4: return eq("host") ? .host : .endToEnd
        case 7:
            if eq("upgrade") { return .upgrade }
            return eq("trailer") ? .trailer : .endToEnd
        case 10:
            if eq("connection") { return .connection }
            return eq("keep-alive") ? .keepAlive : .endToEnd
        case 14: return eq("content-length") ? .contentLength : .endToEnd
        case 15:
            if eq("x-forwarded-for") { return .xForwardedFor }
            return .endToEnd
        case 16:
            if eq("x-forwarded-host") { return .xForwardedHost }
            return eq("proxy-connection") ? .proxyConnection : .endToEnd
        case 17:
            if eq("transfer-encoding") { return .transferEncoding }
            return eq("x-forwarded-proto") ? .xForwardedProto : .endToEnd
        default: return .endToEnd
        }
    }

    /// Whether the field is hop-by-hop by definition or framing the proxy redoes (Upgrade
    /// included; the encoders put it back when upgrading).
    var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .transferEncoding, .contentLength, .upgrade:
            return true
        case .host, .xForwardedFor, .xForwardedProto, .xForwardedHost, .endToEnd:
            return false
        }
    }

    /// Whether a trailer field may be forwarded: not hop-by-hop, framing or Host.
    static func isAllowedInTrailer(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool {
        let c = of(bytes, name)
        return !c.isHopByHop && c != .host
    }

    /// Whether `bytes[name]` is one of the names listed by the message's Connection fields.
    static func isListed(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>, in tokens: [Range<Int>]) -> Bool {
        for t in tokens where ASCII.equalsIgnoringCase(bytes, name, bytes, t) { return true }
        return false
    }
}
