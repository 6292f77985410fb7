import Testing
@testable import TurnoutHTTP

/// Runs `body` with a writer over `capacity` bytes and returns what it wrote and whether it overflowed.
func written(capacity: Int, _ body: (inout ByteWriter) -> Void) -> (String, Bool) {
    var out = [UInt8](repeating: 0, count: capacity)
    let (n, overflowed) = out.withUnsafeMutableBytes { buf in
        var w = ByteWriter(buf)
        body(&w)
        return (w.count, w.overflowed)
    }
    return (String(decoding: out[..<n], as: UTF8.self), overflowed)
}

@Test(arguments: [
    (0, "0"), (7, "7"), (10, "10"), (1234567890, "1234567890"), (-1, "-1"), (-305, "-305"),
    (Int.max, "9223372036854775807"), (Int.min, "-9223372036854775808"),
])
func writeDecimal(_ v: Int, _ expected: String) {
    #expect(written(capacity: 32) { $0.writeDecimal(v) } == (expected, false))
}

@Test(arguments: [(0, "0"), (9, "9"), (10, "a"), (255, "ff"), (4096, "1000"), (Int.max, "7fffffffffffffff")])
func writeHex(_ v: Int, _ expected: String) {
    #expect(written(capacity: 32) { $0.writeHex(v) } == (expected, false))
}

@Test func overflowWritesNothingMore() {
    let (s, overflowed) = written(capacity: 5) { w in
        w.write("abc")
        w.write("def")  // does not fit: nothing of it is written
        w.write("g")    // would fit, but the writer has overflowed
        w.writeDecimal(1)
        w.write(byte: 0x41)
    }
    #expect(s == "abc")
    #expect(overflowed)
    #expect(written(capacity: 3) { $0.write("abc") } == ("abc", false))
    #expect(written(capacity: 2) { $0.writeDecimal(123) } == ("", true))
    #expect(written(capacity: 0) { $0.write(byte: 1) } == ("", true))
    #expect(written(capacity: 0) { $0.write("") } == ("", false))
    // A one-character literal has no pointer representation; it must still work.
    #expect(written(capacity: 4) { $0.write("x") } == ("x", false))
}

@Test func writeRawRanges() {
    let src = bytes("hello world")
    let (s, _) = written(capacity: 16) { w in
        src.withUnsafeBytes { w.write($0, 6..<11); w.write(UnsafeRawBufferPointer(rebasing: $0[0..<5])) }
    }
    #expect(s == "worldhello")
}
