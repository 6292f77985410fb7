/// Byte classes and comparisons of RFC 9110 §5.6, on raw bytes.
///
/// Character classes are bit masks over the 128 ASCII codes rather than lookup arrays: a global
/// array costs a lazy-initialisation check and a bounds check per byte, a mask costs a shift.
@usableFromInline
enum ASCII {
    @usableFromInline static let cr: UInt8 = 0x0D
    @usableFromInline static let lf: UInt8 = 0x0A
    @usableFromInline static let sp: UInt8 = 0x20
    @usableFromInline static let ht: UInt8 = 0x09
    @usableFromInline static let colon: UInt8 = 0x3A
    @usableFromInline static let comma: UInt8 = 0x2C
    @usableFromInline static let semicolon: UInt8 = 0x3B
    @usableFromInline static let equals: UInt8 = 0x3D
    @usableFromInline static let slash: UInt8 = 0x2F
    @usableFromInline static let question: UInt8 = 0x3F
    @usableFromInline static let hash: UInt8 = 0x23
    @usableFromInline static let quote: UInt8 = 0x22
    @usableFromInline static let ampersand: UInt8 = 0x26

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
    /// / "~" / DIGIT / ALPHA, as bit masks of codes 0–63 and 64–127. Literals rather than
    /// computed statics so they fold into the code (a lazily initialised global costs a check per
    /// read); `ASCIITests` rebuilds them from the character lists.
    @usableFromInline static var tcharLow: UInt64 { 0x03FF6CFA00000000 }
    @usableFromInline static var tcharHigh: UInt64 { 0x57FFFFFFC7FFFFFE }

    /// Characters of uri-host [":" port] (RFC 3986 reg-name, IP literals, pct-encoding):
    /// `-.0-9%!$&'()*+,;=:` and `_~[]A-Za-z`.
    @usableFromInline static var hostLow: UInt64 { 0x2FFF7FF200000000 }
    @usableFromInline static var hostHigh: UInt64 { 0x47FFFFFEAFFFFFFE }

    /// Builds the mask of `chars` for the half (0–63 or 64–127) their codes fall in (tests use
    /// it to check the literals above).
    static func mask(_ chars: StaticString) -> UInt64 {
        var m: UInt64 = 0
        chars.withUTF8Buffer { buf in
            for b in buf { m |= 1 &<< UInt64(b & 63) }
        }
        return m
    }

    /// Whether `b` may appear in a token (field names, methods, transfer codings).
    @inlinable @inline(__always)
    static func isTchar(_ b: UInt8) -> Bool {
        if b < 64 { return (tcharLow &>> UInt64(b)) & 1 != 0 }
        if b < 128 { return (tcharHigh &>> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// Whether `b` may appear in a Host value or an authority.
    @inlinable @inline(__always)
    static func isHostChar(_ b: UInt8) -> Bool {
        if b < 64 { return (hostLow &>> UInt64(b)) & 1 != 0 }
        if b < 128 { return (hostHigh &>> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// field-vchar / SP / HTAB: VCHAR, obs-text (0x80–0xFF) and whitespace; no CTL, no DEL.
    @inlinable @inline(__always)
    static func isFieldValueChar(_ b: UInt8) -> Bool {
        (b >= 0x20 && b != 0x7F) || b == ht
    }

    /// Optional whitespace (OWS): SP or HTAB.
    @inlinable @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == sp || b == ht }

    /// `b` with ASCII A–Z mapped to a–z; every other byte unchanged.
    @inlinable @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 {
        (b &- 0x41) < 26 ? b | 0x20 : b
    }

    /// The value of a hex digit, or nil.
    @inlinable @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- 0x30 < 10 { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }

    /// Whether `bytes[range]` equals `literal` byte for byte.
    @inlinable
    static func equalsExactly(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        // withUTF8Buffer, not utf8Start: a one-character literal has no pointer representation.
        literal.withUTF8Buffer { p in
            let n = p.count
            guard range.count == n else { return false }
            var i = 0
            while i < n {
                if bytes[range.lowerBound &+ i] != p[i] { return false }
                i &+= 1
            }
            return true
        }
    }

    /// Whether `bytes[range]` equals the lowercase `literal`, ignoring ASCII case in `bytes`.
    ///
    /// Field names are matched against these literals for every field of every head, so eight
    /// bytes are compared at a time (the last word overlapping the one before it); only literals
    /// shorter than eight bytes go byte by byte.
    @inlinable
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { p in
            let n = p.count
            guard range.count == n else { return false }
            if n >= 8 {
                let text = UnsafeRawBufferPointer(p)
                var i = 0
                while true {
                    let word = SWAR.lowercased(bytes.loadUnaligned(fromByteOffset: range.lowerBound &+ i, as: UInt64.self))
                    if word != text.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                    if i == n &- 8 { return true }
                    i = min(i &+ 8, n &- 8)
                }
            }
            var i = 0
            while i < n {
                if lower(bytes[range.lowerBound &+ i]) != p[i] { return false }
                i &+= 1
            }
            return true
        }
    }

    /// Whether `bytes[range]` equals `literal` ignoring ASCII case on both sides.
    @inlinable
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { p in
            let n = p.count
            guard range.count == n else { return false }
            var i = 0
            while i < n {
                if lower(bytes[range.lowerBound &+ i]) != lower(p[i]) { return false }
                i &+= 1
            }
            return true
        }
    }

    /// Whether two byte ranges (possibly of different buffers) are equal ignoring ASCII case.
    @inlinable
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ ra: Range<Int>,
                                   _ b: UnsafeRawBufferPointer, _ rb: Range<Int>) -> Bool {
        guard ra.count == rb.count else { return false }
        var i = 0
        let n = ra.count
        while i < n {
            if lower(a[ra.lowerBound &+ i]) != lower(b[rb.lowerBound &+ i]) { return false }
            i &+= 1
        }
        return true
    }

    /// `range` without leading and trailing OWS.
    @inlinable
    static func trimOWS(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi && isOWS(bytes[lo]) { lo &+= 1 }
        while hi > lo && isOWS(bytes[hi &- 1]) { hi &-= 1 }
        return lo..<hi
    }

    /// Whether every byte of `bytes[range]` is a tchar and the range is not empty.
    @inlinable
    static func isToken(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        if range.isEmpty { return false }
        for i in range where !isTchar(bytes[i]) { return false }
        return true
    }
}
