/// Parsers for the field values that decide message framing and connection handling. They are
/// deliberately stricter than the list syntax of RFC 9110 §5.6.1 (no empty list elements in
/// Content-Length or Transfer-Encoding): framing fields are where request smuggling hides, and an
/// ambiguity here is worth a 400.
enum FramingFields {
    /// The outcome of parsing one Content-Length field value.
    enum ContentLength: Equatable {
        case value(Int64)
        case invalid
        case conflicting
    }

    /// Parses `1*DIGIT` or a list of identical `1*DIGIT` values (`5, 5`, RFC 9110 §8.6 allows
    /// folding those into one). Signs, spaces inside a number, hex and overflow are invalid.
    static func contentLength(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> ContentLength {
        var result: Int64? = nil
        var i = value.lowerBound
        let end = value.upperBound
        while true {
            // One list element: OWS 1*DIGIT OWS.
            while i < end && ASCII.isOWS(bytes[i]) { i &+= 1 }
            var n: Int64 = 0
            var digits = 0
            while i < end {
                let d = bytes[i] &- 0x30
                if d >= 10 { break }
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { return .invalid }
                n = s
                digits &+= 1
                i &+= 1
            }
            if digits == 0 { return .invalid }
            while i < end && ASCII.isOWS(bytes[i]) { i &+= 1 }
            if let r = result, r != n { return .conflicting }
            result = n
            if i == end { return .value(n) }
            if bytes[i] != ASCII.comma { return .invalid }
            i &+= 1
        }
    }

    /// The transfer codings listed by every Transfer-Encoding field of a message, in order,
    /// reduced to what the framing decision needs.
    struct TransferCodings: Sendable {
        /// Some Transfer-Encoding field was present.
        var present = false
        /// How many times `chunked` was listed.
        var chunkedCount = 0
        /// Whether the last coding listed so far is `chunked`.
        var lastIsChunked = false
        /// Codings other than `chunked` (gzip, identity, anything unknown).
        var otherCount = 0

        /// Adds the codings of one field value; a non-token element (including parameters and
        /// empty elements) is an error.
        mutating func add(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> HTTPError.Kind? {
            present = true
            var start = value.lowerBound
            let end = value.upperBound
            while true {
                var i = start
                while i < end && bytes[i] != ASCII.comma { i &+= 1 }
                let element = ASCII.trimOWS(bytes, start..<i)
                if !ASCII.isToken(bytes, element) { return .invalidTransferEncoding }
                if ASCII.equalsLowercase(bytes, element, "chunked") {
                    chunkedCount &+= 1
                    lastIsChunked = true
                } else {
                    otherCount &+= 1
                    lastIsChunked = false
                }
                if i == end { return nil }
                start = i &+ 1
            }
        }

        /// The request rule (RFC 9112 §6.3): `chunked` anywhere but last, or twice, cannot be
        /// framed reliably → 400; otherwise any other coding is one Turnout does not implement → 501.
        var requestError: HTTPError.Kind? {
            if chunkedCount > 1 || (chunkedCount == 1 && !lastIsChunked) { return .invalidTransferEncoding }
            if otherCount > 0 || chunkedCount == 0 { return .unsupportedTransferCoding }
            return nil
        }
    }

    /// What the Connection fields of a message say, beyond the list of tokens.
    struct ConnectionOptions: Sendable {
        var close = false
        var keepAlive = false
        var upgrade = false

        /// Records every token of one Connection field value in `tokens` and notes `close`,
        /// `keep-alive` and `upgrade`. Empty elements are skipped (RFC 9110 §5.6.1); anything
        /// but a token is an error.
        mutating func add(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, tokens: inout [Range<Int>]) -> HTTPError.Kind? {
            var start = value.lowerBound
            let end = value.upperBound
            while true {
                var i = start
                while i < end && bytes[i] != ASCII.comma { i &+= 1 }
                let element = ASCII.trimOWS(bytes, start..<i)
                if !element.isEmpty {
                    if !ASCII.isToken(bytes, element) { return .invalidConnection }
                    tokens.append(element)
                    switch element.count {
                    case 5: if ASCII.equalsLowercase(bytes, element, "close") { close = true }
                    case 7: if ASCII.equalsLowercase(bytes, element, "upgrade") { upgrade = true }
                    case 10: if ASCII.equalsLowercase(bytes, element, "keep-alive") { keepAlive = true }
                    default: break
                    }
                }
                if i == end { return nil }
                start = i &+ 1
            }
        }
    }

    /// Whether `bytes[value]` is a syntactically plausible `uri-host [":" port]`: only the
    /// characters RFC 3986 allows there, so no userinfo, path, whitespace or CTL can reach routing.
    static func isValidHost(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Bool {
        for i in value where !ASCII.isHostChar(bytes[i]) { return false }
        return true
    }
}
