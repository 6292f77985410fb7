/// The HTTP/1.x protocol versions Turnout speaks. A higher minor version of 1 (`HTTP/1.2`) is read
/// as 1.1; any other major version (and 0.9) is answered with 505.
public enum HTTPVersion: UInt8, Sendable {
    case http1_0
    case http1_1
}

/// The `HTTP/d.d` version text shared by request and status lines.
enum HTTPVersionText {
    /// 1.0 or 1.1; `HTTP/1.2` to `HTTP/1.9` are read as 1.1 (RFC 9112 §2.3: a recipient SHOULD
    /// process a higher minor version of a major version it implements as the highest minor
    /// version it conforms to), other well-formed versions are 505, malformed text (`HTTP/1.x`,
    /// `http/1.1`, `HTTP/1.10`) is 400.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Result<HTTPVersion, HTTPError> {
        // Nearly every message says HTTP/1.1 or HTTP/1.0: one comparison of the eight bytes as a
        // word settles those; anything else takes the checks below.
        if range.count == 8 {
            switch UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self)) {
            case http11Word: return .success(.http1_1)
            case http10Word: return .success(.http1_0)
            default: break
            }
        }
        guard range.count == 8, ASCII.equalsExactly(bytes, range.lowerBound..<(range.lowerBound &+ 5), "HTTP/") else {
            return .failure(HTTPError(.invalidVersion))
        }
        let s = range.lowerBound
        let major = bytes[s &+ 5] &- 0x30
        let minor = bytes[s &+ 7] &- 0x30
        guard major < 10, minor < 10, bytes[s &+ 6] == UInt8(ascii: ".") else {
            return .failure(HTTPError(.invalidVersion))
        }
        if major == 1 { return .success(minor == 0 ? .http1_0 : .http1_1) }
        return .failure(HTTPError(.unsupportedVersion))
    }

    /// `HTTP/1.1` and `HTTP/1.0` read as little-endian words (literals, so no lazy global;
    /// `ASCIITests` checks them against the text).
    static var http11Word: UInt64 { 0x312E_312F_5054_5448 }
    static var http10Word: UInt64 { 0x302E_312F_5054_5448 }
}
