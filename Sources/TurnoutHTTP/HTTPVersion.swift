/// The HTTP/1.x protocol versions Turnout speaks. Anything else is answered with 505.
public enum HTTPVersion: UInt8, Sendable {
    case http1_0
    case http1_1
}

/// The `HTTP/d.d` version text shared by request and status lines.
enum HTTPVersionText {
    /// 1.0 or 1.1; other well-formed versions are 505, malformed text (`HTTP/1.x`, `http/1.1`,
    /// `HTTP/1.10`) is 400.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Result<HTTPVersion, HTTPError> {
        guard range.count == 8, ASCII.equalsExactly(bytes, range.lowerBound..<(range.lowerBound &+ 5), "HTTP/") else {
            return .failure(HTTPError(.invalidVersion))
        }
        let s = range.lowerBound
        let major = bytes[s &+ 5] &- 0x30
        let minor = bytes[s &+ 7] &- 0x30
        guard major < 10, minor < 10, bytes[s &+ 6] == UInt8(ascii: ".") else {
            return .failure(HTTPError(.invalidVersion))
        }
        if major == 1 && minor == 1 { return .success(.http1_1) }
        if major == 1 && minor == 0 { return .success(.http1_0) }
        return .failure(HTTPError(.unsupportedVersion))
    }
}
