import TurnoutHTTP

/// What a request asks the fixture to do, decided from its path and query bytes without
/// building a String. Each case is one behaviour the proxy's end-to-end tests need an upstream
/// to show on demand.
enum FixtureRoute: Equatable {
    /// `GET /healthz`: 200 `ok`, or 503 while unhealthy; never delayed or failed on purpose.
    case healthz
    /// `/echo`: the request body streamed back as it arrives, framed as it came.
    case echo
    /// `/bytes/N`: N pattern bytes; `chunked=1` in chunks with an `X-Checksum` trailer,
    /// `close=1` close-delimited.
    case bytes(count: Int, chunked: Bool, close: Bool)
    /// `/status/N`: an answer with status N (200–599).
    case status(Int)
    /// `/delay/MS`: the name body after MS milliseconds.
    case delay(milliseconds: Int)
    /// `/die`: a head promising 1000 bytes, 10 of them, then the connection closes.
    case die
    /// `/close`: the name body with `Connection: close`, then the connection closes.
    case close
    /// `/headers`: the raw request head as the body.
    case headers
    /// `/early-hints`: a 103 with a Link field, then the name body.
    case earlyHints
    /// `/counter`: 200 `count N`, N one more than the fixture's previous `/counter` answer (over
    /// all its loops): an endpoint whose answer never repeats.
    case counter
    /// `/_fixture`: show or change the default route's behaviour (see `FixtureControl`).
    case control(FixtureControl)
    /// `/_fixture/counts`: `{"accepted":N,"served":M}`, connections accepted and responses
    /// written so far over all loops, so a script can count what reached the fixture (a
    /// shadow's copies) without stopping it.
    case counts
    /// Any other path: the configured behaviour (latency, jitter, errors, body size).
    case standard
    /// Any other path that starts with the behaviour's `divergePrefix`: the configured latency
    /// and errors, and the diverged body; a 500 (`failing`) when the path ends in `/status`.
    case diverged(failing: Bool)
    /// A known route with a malformed number: 400.
    case invalid

    /// The largest `/bytes/N` (1 TiB: a benchmark can stream for hours, a typo cannot overflow).
    static let maxBytes = 1 << 40
    /// The longest `/delay/MS` (one hour).
    static let maxDelayMs = 3_600_000

    /// Decides the route of a request whose path is `path` and query (after `?`) is `query`;
    /// the method matters to `/_fixture` only, `divergePrefix` (the behaviour's, as bytes) to the
    /// paths no other route takes.
    static func parse(path: UnsafeRawBufferPointer, query: UnsafeRawBufferPointer?, method: HTTPMethod,
                      divergePrefix: [UInt8]? = nil) -> FixtureRoute {
        // The exact names first, told apart by length so most requests cost one comparison.
        switch path.count {
        case 5 where equals(path, "/echo"): return .echo
        case 4 where equals(path, "/die"): return .die
        case 6 where equals(path, "/close"): return .close
        case 8 where equals(path, "/healthz"): return .healthz
        case 8 where equals(path, "/headers"): return .headers
        case 8 where equals(path, "/counter"): return .counter
        case 12 where equals(path, "/early-hints"): return .earlyHints
        case 9 where equals(path, FixtureControl.path): return .control(FixtureControl.parse(method: method, query: query))
        case 16 where equals(path, "/_fixture/counts"): return .counts
        default: break
        }
        if let digits = suffix(of: path, after: "/bytes/") {
            guard let n = decimal(digits), n <= maxBytes else { return .invalid }
            return .bytes(count: n, chunked: flag("chunked", in: query), close: flag("close", in: query))
        }
        if let digits = suffix(of: path, after: "/status/") {
            // 1xx are interim answers, not a response a route can end with; three digits only.
            guard let n = decimal(digits), (200...599).contains(n) else { return .invalid }
            return .status(n)
        }
        if let digits = suffix(of: path, after: "/delay/") {
            guard let n = decimal(digits), n <= maxDelayMs else { return .invalid }
            return .delay(milliseconds: n)
        }
        if let divergePrefix, divergePrefix.withUnsafeBytes({ HTTPBytes.hasPrefix(path, $0) }) {
            return .diverged(failing: hasSuffix(path, "/status"))
        }
        return .standard
    }

    /// Whether `bytes` ends with `literal`.
    private static func hasSuffix(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { s in
            bytes.count >= s.count && equals(UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - s.count)...]), literal)
        }
    }

    /// Whether `bytes` equals `literal` byte for byte.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { HTTPBytes.hasPrefix(bytes, UnsafeRawBufferPointer($0)) && bytes.count == $0.count }
    }

    /// The bytes after `prefix` when `bytes` starts with it.
    private static func suffix(of bytes: UnsafeRawBufferPointer, after prefix: StaticString) -> UnsafeRawBufferPointer? {
        prefix.withUTF8Buffer { p -> UnsafeRawBufferPointer? in
            guard HTTPBytes.hasPrefix(bytes, UnsafeRawBufferPointer(p)) else { return nil }
            return UnsafeRawBufferPointer(rebasing: bytes[p.count...])
        }
    }

    /// `1*DIGIT` of at most 15 digits (so no overflow is possible), or nil.
    static func decimal(_ digits: UnsafeRawBufferPointer) -> Int? {
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var n = 0
        for b in digits {
            let d = b &- 0x30
            guard d < 10 else { return nil }
            n = n * 10 + Int(d)
        }
        return n
    }

    /// Whether the query has `name=1`.
    private static func flag(_ name: StaticString, in query: UnsafeRawBufferPointer?) -> Bool {
        guard let query else { return false }
        return name.withUTF8Buffer { n in
            guard let value = HTTPBytes.queryParameter(UnsafeRawBufferPointer(n), in: query) else { return false }
            return value.count == 1 && query[value.lowerBound] == UInt8(ascii: "1")
        }
    }
}
