/// Byte helpers for the router: no allocation, no String.
///
/// Ranges returned by `cookie` and `queryParameter` are offsets relative to the start of the
/// buffer passed in (`value` or `query`), not to the head: add the value's `lowerBound` to map
/// them back into the head buffer.
public enum HTTPBytes {
    /// Whether `a` and `b` are equal ignoring ASCII case (header names, host names).
    @inlinable
    public static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        ASCII.equalsIgnoringCase(a, 0..<a.count, b, 0..<b.count)
    }

    /// Whether `s` starts with `prefix`, byte for byte. Case-sensitive: this is for paths, which
    /// are case-sensitive (RFC 3986 §6.2.2.1); use `equalsIgnoringCase` for names.
    @inlinable
    public static func hasPrefix(_ s: UnsafeRawBufferPointer, _ prefix: UnsafeRawBufferPointer) -> Bool {
        let n = prefix.count
        guard n <= s.count else { return false }
        var i = 0
        while i < n {
            if s[i] != prefix[i] { return false }
            i &+= 1
        }
        return true
    }

    /// The value of cookie `name` in a Cookie field value (`a=1; b=2`), relative to `value`'s
    /// start; nil when absent. The first cookie of that name wins. Names are compared exactly
    /// (RFC 6265 §5.3: `Canary` and `canary` are different cookies, and matching a prefix would
    /// let `xcanary` pose as `canary`). Whitespace around pairs is skipped, a value in double
    /// quotes is returned without them, pairs without `=` are ignored.
    @inlinable
    public static func cookie(_ name: UnsafeRawBufferPointer, in value: UnsafeRawBufferPointer) -> Range<Int>? {
        let end = value.count
        var i = 0
        while i < end {
            // One pair: OWS name OWS "=" OWS value OWS, up to ';'.
            var pairEnd = i
            while pairEnd < end && value[pairEnd] != ASCII.semicolon { pairEnd &+= 1 }
            let pair = ASCII.trimOWS(value, i..<pairEnd)
            var eq = pair.lowerBound
            while eq < pair.upperBound && value[eq] != ASCII.equals { eq &+= 1 }
            if eq < pair.upperBound {
                let pairName = ASCII.trimOWS(value, pair.lowerBound..<eq)
                if bytesEqual(value, pairName, name) {
                    var v = ASCII.trimOWS(value, (eq &+ 1)..<pair.upperBound)
                    if v.count >= 2 && value[v.lowerBound] == ASCII.quote && value[v.upperBound &- 1] == ASCII.quote {
                        v = (v.lowerBound &+ 1)..<(v.upperBound &- 1)
                    }
                    return v
                }
            }
            i = pairEnd &+ 1
        }
        return nil
    }

    /// The raw (not percent-decoded) value of query parameter `name` in a query string
    /// (`a=1&b=2`), relative to `query`'s start; nil when absent, empty for `a` or `a=`. The
    /// first parameter of that name wins; names are compared exactly, undecoded.
    @inlinable
    public static func queryParameter(_ name: UnsafeRawBufferPointer, in query: UnsafeRawBufferPointer) -> Range<Int>? {
        let end = query.count
        var i = 0
        while i <= end {
            var pairEnd = i
            while pairEnd < end && query[pairEnd] != ASCII.ampersand { pairEnd &+= 1 }
            var eq = i
            while eq < pairEnd && query[eq] != ASCII.equals { eq &+= 1 }
            if bytesEqual(query, i..<eq, name) {
                return eq < pairEnd ? (eq &+ 1)..<pairEnd : pairEnd..<pairEnd
            }
            i = pairEnd &+ 1
        }
        return nil
    }

    /// Whether `a[range]` equals all of `b`, byte for byte.
    @inlinable
    static func bytesEqual(_ a: UnsafeRawBufferPointer, _ range: Range<Int>, _ b: UnsafeRawBufferPointer) -> Bool {
        guard range.count == b.count else { return false }
        var i = 0
        while i < b.count {
            if a[range.lowerBound &+ i] != b[i] { return false }
            i &+= 1
        }
        return true
    }
}
