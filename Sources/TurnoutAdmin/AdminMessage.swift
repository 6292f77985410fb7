/// Who made an admin call, for the history (SPEC §5): the peer process on the Unix socket
/// (from SO_PEERCRED, which the kernel fills in and the peer cannot forge), the peer address on TCP.
public enum AdminCaller: Sendable, Equatable {
    case unix(uid: UInt32, pid: Int32)
    case tcp(address: String)
}

/// One admin request, decoded from HTTP/1.1 by Turnout's own codec.
public struct AdminRequest: Sendable {
    public let method: String
    /// The path without the query, still percent-encoded.
    public let path: String
    /// The query string without `?`, or empty.
    public let query: String
    public let body: [UInt8]
    public let caller: AdminCaller

    public init(method: String, path: String, query: String = "", body: [UInt8] = [], caller: AdminCaller) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.caller = caller
    }
}

/// One admin response; always sent with a Content-Length.
public struct AdminResponse: Sendable {
    public let status: Int
    public let contentType: String
    public let body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON document (already serialized) with a trailing newline, so `curl` output ends cleanly.
    public static func json(_ status: Int, _ text: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: Array((text + "\n").utf8))
    }

    /// `{"error": "…"}` with the message escaped as a JSON string.
    public static func error(_ status: Int, _ message: String) -> AdminResponse {
        json(status, "{\"error\": \(jsonString(message))}")
    }
}

/// A JSON string literal for `text` (RFC 8259 escaping), without Foundation.
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
