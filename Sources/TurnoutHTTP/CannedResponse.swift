/// Responses the proxy makes itself (errors, 404 for no route, 503 for no healthy server):
/// `HTTP/1.1 <status> <reason>`, `Content-Type: text/plain`, Content-Length, `Connection: close`
/// when `close`, and the body `"<status> <reason>: <message>\n"`.
public enum CannedResponse {
    /// The whole response as a new array. Error paths only; the hot path can use `write`.
    public static func bytes(status: Int, message: StaticString, close: Bool) -> [UInt8] {
        // Head and body together stay far below 512 bytes: reason phrases and messages are short
        // literals.
        let capacity = 256 &+ message.utf8CodeUnitCount &* 2
        return [UInt8](unsafeUninitializedCapacity: capacity) { buf, initialized in
            var w = ByteWriter(UnsafeMutableRawBufferPointer(buf))
            write(status: status, message: message, close: close, into: &w)
            precondition(!w.overflowed, "canned response larger than its buffer")
            initialized = w.count
        }
    }

    /// Writes the response into `w` (check `w.overflowed`).
    public static func write(status: Int, message: StaticString, close: Bool, into w: inout ByteWriter) {
        let reason = reasonPhrase(status)
        // Body: "<status> <reason>: <message>\n" — its length is computed without formatting twice.
        let bodyLength = decimalDigits(status) &+ 1 &+ reason.utf8CodeUnitCount &+ 2 &+ message.utf8CodeUnitCount &+ 1
        w.write("HTTP/1.1 ")
        w.writeDecimal(status)
        w.write(byte: ASCII.sp)
        w.write(reason)
        w.write("\r\nContent-Type: text/plain\r\nContent-Length: ")
        w.writeDecimal(bodyLength)
        w.write("\r\n")
        if close { w.write("Connection: close\r\n") }
        w.write("\r\n")
        w.writeDecimal(status)
        w.write(byte: ASCII.sp)
        w.write(reason)
        w.write(": ")
        w.write(message)
        w.write("\n")
    }

    /// `HTTP/1.1 100 Continue`, sent when a client expects it and the proxy is ready for the body.
    public static let continue100: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The reason phrase of RFC 9110 §15 for `status`, or "Status" for one it does not name.
    /// Clients ignore the phrase; people reading a capture do not.
    public static func reasonPhrase(_ status: Int) -> StaticString {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 103: return "Early Hints"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 203: return "Non-Authoritative Information"
        case 204: return "No Content"
        case 205: return "Reset Content"
        case 206: return "Partial Content"
        case 300: return "Multiple Choices"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 421: return "Misdirected Request"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }

    private static func decimalDigits(_ v: Int) -> Int {
        var n = v < 0 ? 2 : 1
        var x = v.magnitude
        while x >= 10 { x /= 10; n &+= 1 }
        return n
    }
}
