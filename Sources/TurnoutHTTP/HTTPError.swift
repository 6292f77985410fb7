/// A rejected message: the status the proxy answers with and why (for logs and the error body).
///
/// Errors are rare, so this is a plain value built from its `Kind`; the status and message are a
/// function of the kind, except that errors found in an upstream's response carry 502.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every reason the codec rejects a message, one case per rule so logs and counters can tell
    /// smuggling attempts from plain garbage.
    public enum Kind: Sendable, Equatable, Hashable {
        // Framing (RFC 9112 §6): the rules request smuggling attacks probe.
        case contentLengthWithTransferEncoding
        case invalidContentLength
        case conflictingContentLength
        case unsupportedTransferCoding
        case invalidTransferEncoding
        case transferEncodingInHTTP10
        // Field lines (RFC 9112 §5, RFC 9110 §5).
        case obsFold
        case whitespaceBeforeColon
        case invalidFieldName
        case invalidFieldValue
        case invalidConnection
        case bareLF
        case bareCR
        // Request line (RFC 9112 §3).
        case invalidRequestLine
        case invalidMethod
        case invalidTarget
        case invalidVersion
        case unsupportedVersion
        case missingHost
        case multipleHost
        case invalidHost
        case unsupportedExpectation
        // Limits.
        case requestLineTooLong
        case headTooLarge
        case tooManyFields
        case bodyTooLarge
        // Chunked bodies (RFC 9112 §7.1).
        case invalidChunkSize
        case invalidChunkFraming
        case chunkLineTooLong
        case trailersTooLarge
        // Responses.
        case invalidStatusLine
    }

    /// Why the message was rejected.
    public var kind: Kind
    /// The status the proxy answers the client with: 400, 413, 414, 417, 431, 501, 505, or 502
    /// for a malformed upstream response.
    public var status: Int
    /// A short English phrase for the error body and the log line.
    public var message: StaticString

    /// The error for `kind` with its usual status.
    public init(_ kind: Kind) {
        self.kind = kind
        (status, message) = HTTPError.describe(kind)
    }

    /// The same error, reported against an upstream response: the client gets 502 (the client did
    /// nothing wrong) while the kind still says what the upstream broke.
    @usableFromInline
    var asUpstreamError: HTTPError {
        var copy = self
        copy.status = 502
        return copy
    }

    /// `"<status> <message>"`, for logs and test failures.
    public var description: String { "\(status) \(message)" }

    /// Same kind and status. (StaticString is not Equatable; the message follows from the kind.)
    public static func == (a: HTTPError, b: HTTPError) -> Bool {
        a.kind == b.kind && a.status == b.status
    }

    private static func describe(_ kind: Kind) -> (Int, StaticString) {
        switch kind {
        case .contentLengthWithTransferEncoding: return (400, "both Content-Length and Transfer-Encoding")
        case .invalidContentLength: return (400, "invalid Content-Length")
        case .conflictingContentLength: return (400, "conflicting Content-Length values")
        case .unsupportedTransferCoding: return (501, "transfer coding other than chunked")
        case .invalidTransferEncoding: return (400, "chunked is not the final transfer coding")
        case .transferEncodingInHTTP10: return (400, "Transfer-Encoding in an HTTP/1.0 message")
        case .obsFold: return (400, "obsolete line folding")
        case .whitespaceBeforeColon: return (400, "whitespace between field name and colon")
        case .invalidFieldName: return (400, "invalid header field name")
        case .invalidFieldValue: return (400, "invalid character in header field value")
        case .invalidConnection: return (400, "invalid Connection header")
        case .bareLF: return (400, "line ending without CR")
        case .bareCR: return (400, "CR without LF")
        case .invalidRequestLine: return (400, "malformed request line")
        case .invalidMethod: return (400, "invalid method")
        case .invalidTarget: return (400, "invalid request target")
        case .invalidVersion: return (400, "malformed HTTP version")
        case .unsupportedVersion: return (505, "HTTP version not supported")
        case .missingHost: return (400, "missing Host header")
        case .multipleHost: return (400, "more than one Host header")
        case .invalidHost: return (400, "invalid Host header")
        case .unsupportedExpectation: return (417, "unsupported Expect value")
        case .requestLineTooLong: return (414, "request line too long")
        case .headTooLarge: return (431, "header section too large")
        case .tooManyFields: return (431, "too many header fields")
        case .bodyTooLarge: return (413, "body too large")
        case .invalidChunkSize: return (400, "invalid chunk size")
        case .invalidChunkFraming: return (400, "invalid chunk framing")
        case .chunkLineTooLong: return (400, "chunk size line too long")
        case .trailersTooLarge: return (431, "trailer section too large")
        case .invalidStatusLine: return (502, "malformed status line")
        }
    }
}

/// The outcome of feeding a head parser: keep reading, done, or reject.
public enum HeadParseResult: Sendable, Equatable {
    /// The head is not complete yet; call again with more bytes.
    case needMore
    /// The head is complete and valid; its `headLength` says where the body starts.
    case complete
    /// The head is invalid; answer with `error.status` and close the connection.
    case failed(HTTPError)
}
