/// Classification of the request-target (RFC 9112 §3.2) into path, query and authority.
enum RequestTarget {
    /// Sets `targetForm`, `path`, `query` and (for absolute and authority form) `host` of `head`.
    ///
    /// Origin-form for every method but CONNECT, absolute-form only with an `http`/`https` scheme
    /// and a non-empty authority without userinfo (RFC 9110 §4.2.4 deprecates it; it is a classic
    /// way to make two parsers see different hosts), `*` only for OPTIONS, authority-form
    /// (`host:port`) only for CONNECT.
    static func parse(_ bytes: UnsafeRawBufferPointer, _ target: Range<Int>, method: HTTPMethod,
                      rootSlash: Range<Int>, into head: inout RequestHead) -> HTTPError.Kind? {
        let first = bytes[target.lowerBound]
        if method == .connect {
            // authority-form = uri-host ":" port
            guard FramingFields.isValidHost(bytes, target), hasPort(bytes, target) else { return .invalidTarget }
            head.targetForm = .authority
            head.path = target.upperBound..<target.upperBound
            head.query = nil
            head.host = target
            return nil
        }
        if first == ASCII.slash {
            head.targetForm = .origin
            splitPathAndQuery(bytes, target.lowerBound..<target.upperBound, into: &head)
            return nil
        }
        if target.count == 1 && first == UInt8(ascii: "*") {
            guard method == .options else { return .invalidTarget }
            head.targetForm = .asterisk
            head.path = target
            head.query = nil
            return nil
        }
        return parseAbsolute(bytes, target, rootSlash: rootSlash, into: &head)
    }

    /// `http://authority[/path][?query][#fragment]`.
    private static func parseAbsolute(_ bytes: UnsafeRawBufferPointer, _ target: Range<Int>,
                                      rootSlash: Range<Int>, into head: inout RequestHead) -> HTTPError.Kind? {
        var i = target.lowerBound
        while i < target.upperBound && bytes[i] != ASCII.colon { i &+= 1 }
        let scheme = target.lowerBound..<i
        guard ASCII.equalsLowercase(bytes, scheme, "http") || ASCII.equalsLowercase(bytes, scheme, "https") else {
            return .invalidTarget
        }
        guard target.upperBound &- i >= 3, bytes[i &+ 1] == ASCII.slash, bytes[i &+ 2] == ASCII.slash else {
            return .invalidTarget
        }
        let authorityStart = i &+ 3
        var j = authorityStart
        while j < target.upperBound {
            let b = bytes[j]
            if b == ASCII.slash || b == ASCII.question || b == ASCII.hash { break }
            j &+= 1
        }
        let authority = authorityStart..<j
        guard !authority.isEmpty, FramingFields.isValidHost(bytes, authority) else { return .invalidTarget }
        head.targetForm = .absolute
        head.host = authority
        splitPathAndQuery(bytes, j..<target.upperBound, into: &head)
        if head.path.isEmpty { head.path = rootSlash }
        return nil
    }

    /// Splits `path[?query][#fragment]`; the fragment is dropped (clients must not send one, and
    /// it never goes upstream).
    private static func splitPathAndQuery(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, into head: inout RequestHead) {
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if b == ASCII.question || b == ASCII.hash { break }
            i &+= 1
        }
        head.path = range.lowerBound..<i
        head.query = nil
        guard i < range.upperBound, bytes[i] == ASCII.question else { return }
        let queryStart = i &+ 1
        var j = queryStart
        while j < range.upperBound && bytes[j] != ASCII.hash { j &+= 1 }
        head.query = queryStart..<j
    }

    /// Whether an authority ends in `:` and a non-empty decimal port (after an IP literal's `]`).
    private static func hasPort(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.upperBound
        while i > range.lowerBound && bytes[i &- 1] &- 0x30 < 10 { i &-= 1 }
        return i < range.upperBound && i &- 1 > range.lowerBound && bytes[i &- 1] == ASCII.colon
    }
}
