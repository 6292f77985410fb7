/// Parsing of the request line (RFC 9112 §3): `method SP request-target SP HTTP-version`, with
/// exactly one SP between the parts, as the grammar says. Lenient whitespace handling here is what
/// lets two parsers disagree on where the target ends.
enum RequestLine {
    /// Fills the start-line fields of `head` from `bytes[line]` (without CRLF).
    static func parse(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, into head: inout RequestHead) -> HTTPError.Kind? {
        let end = line.upperBound
        // Method: a token up to the first SP.
        var i = line.lowerBound
        while i < end && bytes[i] != ASCII.sp { i &+= 1 }
        if i == end || i == line.lowerBound { return .invalidRequestLine }
        let method = line.lowerBound..<i
        for j in method where !ASCII.isTchar(bytes[j]) { return .invalidMethod }

        // Target: visible ASCII up to the next SP.
        let targetStart = i &+ 1
        i = targetStart
        while i < end && bytes[i] != ASCII.sp { i &+= 1 }
        if i == end || i == targetStart { return .invalidRequestLine }
        let target = targetStart..<i
        for j in target {
            let b = bytes[j]
            // No CTL, DEL, HT or non-ASCII: RFC 3986 has no room for them and they are the bytes
            // other parsers treat as separators.
            if b <= ASCII.sp || b >= 0x7F { return .invalidTarget }
        }

        // Version: the rest, exactly `HTTP/d.d`.
        let versionRange = (i &+ 1)..<end
        for j in versionRange where bytes[j] == ASCII.sp { return .invalidRequestLine }
        let version: HTTPVersion
        switch HTTPVersionText.parse(bytes, versionRange) {
        case .success(let v): version = v
        case .failure(let e): return e.kind
        }

        head.methodBytes = method
        head.method = HTTPMethod.recognise(bytes, method)
        head.version = version
        head.target = target
        // The '/' of "HTTP/1.x", used as the path of an absolute-form target that has none.
        let versionSlash = versionRange.lowerBound &+ 4
        return RequestTarget.parse(bytes, target, method: head.method, rootSlash: versionSlash..<(versionSlash &+ 1), into: &head)
    }
}
