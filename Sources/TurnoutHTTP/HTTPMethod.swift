/// A request method. The common ones are recognised so routing and retry decisions need no byte
/// comparison; any other valid token is `.other` and its bytes stay in `RequestHead.methodBytes`.
/// Methods are case-sensitive (RFC 9110 §9.1), so `get` is `.other`, not `.get`.
public enum HTTPMethod: UInt8, Sendable {
    case get, head, post, put, delete, options, trace, connect, patch, other

    /// Whether repeating the request has the same effect as sending it once (RFC 9110 §9.2.2):
    /// the retry policy only replays these.
    @inlinable
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options, .trace: return true
        case .post, .connect, .patch, .other: return false
        }
    }
}

extension HTTPMethod {
    /// Recognises a method token by its exact bytes; the token has already been validated.
    public static func recognise(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> HTTPMethod {
        // Length first, so most methods are decided after one or two byte comparisons.
        let n = range.count
        let s = range.lowerBound
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            ASCII.equalsExactly(bytes, range, literal)
        }
        switch n {
        case 3:
            if bytes[s] == UInt8(ascii: "G") { return matches("GET") ? .get : .other }
            return matches("PUT") ? .put : .other
        case 4:
            if bytes[s] == UInt8(ascii: "P") { return matches("POST") ? .post : .other }
            return matches("HEAD") ? .head : .other
        case 5:
            if bytes[s] == UInt8(ascii: "P") { return matches("PATCH") ? .patch : .other }
            return matches("TRACE") ? .trace : .other
        case 6: return matches("DELETE") ? .delete : .other
        case 7:
            if bytes[s] == UInt8(ascii: "O") { return matches("OPTIONS") ? .options : .other }
            return matches("CONNECT") ? .connect : .other
        default: return .other
        }
    }
}
