import TurnoutHTTP

/// Byte comparisons between a parsed request (ranges into its head bytes) and a route's
/// expected values. Nothing here allocates.
enum RequestBytes {
    @inline(__always)
    static func slice(_ source: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: source[range])
    }

    static func equal(_ source: UnsafeRawBufferPointer, _ range: Range<Int>, _ expected: [UInt8]) -> Bool {
        guard range.count == expected.count else { return false }
        return expected.withUnsafeBytes { $0.elementsEqual(slice(source, range)) }
    }

    static func hasPrefix(_ source: UnsafeRawBufferPointer, _ range: Range<Int>, _ prefix: [UInt8]) -> Bool {
        guard range.count >= prefix.count else { return false }
        return prefix.withUnsafeBytes { $0.elementsEqual(slice(source, range.lowerBound ..< range.lowerBound + prefix.count)) }
    }

    /// Host comparison as operators expect it: case-insensitive, and a `:port` suffix on the
    /// request's Host is ignored unless the route names a port itself.
    static func hostEquals(_ source: UnsafeRawBufferPointer, _ range: Range<Int>, _ expected: [UInt8]) -> Bool {
        var end = range.upperBound
        if !expected.contains(UInt8(ascii: ":")) {
            var i = range.upperBound - 1
            while i > range.lowerBound, source[i] >= UInt8(ascii: "0"), source[i] <= UInt8(ascii: "9") { i -= 1 }
            if i > range.lowerBound, i < range.upperBound - 1, source[i] == UInt8(ascii: ":"), source[range.upperBound - 1] != UInt8(ascii: "]") {
                end = i
            }
        }
        return expected.withUnsafeBytes { HTTPBytes.equalsIgnoringCase($0, slice(source, range.lowerBound ..< end)) }
    }

    /// Calls `predicate` with the value of each field named `name` (case-insensitive) until it
    /// returns true.
    static func anyField(_ head: borrowing RequestHead, _ source: UnsafeRawBufferPointer, named name: [UInt8],
                         where predicate: (Range<Int>) -> Bool) -> Bool {
        name.withUnsafeBytes { wanted in
            for field in head.fields where field.name.count == wanted.count {
                if HTTPBytes.equalsIgnoringCase(slice(source, field.name), wanted), predicate(field.value) { return true }
            }
            return false
        }
    }

    /// The value of cookie `name` in any Cookie field.
    static func cookie(_ head: borrowing RequestHead, _ source: UnsafeRawBufferPointer, named name: [UInt8]) -> Range<Int>? {
        var found: Range<Int>?
        _ = anyField(head, source, named: cookieFieldName) { value in
            let relative = name.withUnsafeBytes { HTTPBytes.cookie($0, in: slice(source, value)) }
            guard let relative else { return false }
            found = (value.lowerBound + relative.lowerBound) ..< (value.lowerBound + relative.upperBound)
            return true
        }
        return found
    }

    static func queryParameter(_ source: UnsafeRawBufferPointer, _ query: Range<Int>, named name: [UInt8]) -> Range<Int>? {
        guard let relative = name.withUnsafeBytes({ HTTPBytes.queryParameter($0, in: slice(source, query)) }) else { return nil }
        return (query.lowerBound + relative.lowerBound) ..< (query.lowerBound + relative.upperBound)
    }

    static let cookieFieldName = Array("cookie".utf8)
}
