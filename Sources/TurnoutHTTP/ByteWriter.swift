/// Writes bytes into caller-provided memory (a pooled buffer), so encoding a head allocates
/// nothing. A write that does not fit sets `overflowed` and writes nothing, and every later write
/// is ignored, so the output is never a silently truncated head: check `overflowed` once at the
/// end.
///
/// Not Sendable: it holds a pointer into memory it does not own.
public struct ByteWriter {
    /// The memory written into.
    public let out: UnsafeMutableRawBufferPointer
    /// Bytes written so far, from the start of `out`.
    public var count: Int
    /// Whether some write did not fit.
    public var overflowed: Bool

    /// A writer at the start of `out`.
    @inlinable
    public init(_ out: UnsafeMutableRawBufferPointer) {
        self.out = out
        count = 0
        overflowed = false
    }

    /// Appends `bytes`. Always inlined: most writes are literals of a few bytes, whose length
    /// is then a constant, so the copy becomes a couple of moves instead of a call to memcpy.
    @inlinable @inline(__always)
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard !overflowed, n <= out.count &- count else { overflowed = true; return }
        if n > 0 {
            // Both bases are non-nil here: n > 0 and n fits in out.
            (out.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: n)
        }
        count &+= n
    }

    /// Appends `bytes[range]`.
    @inlinable @inline(__always)
    public mutating func write(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        write(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Appends the UTF-8 bytes of `s`.
    @inlinable @inline(__always)
    public mutating func write(_ s: StaticString) {
        s.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one byte.
    @inlinable
    public mutating func write(byte: UInt8) {
        guard !overflowed, count < out.count else { overflowed = true; return }
        out[count] = byte
        count &+= 1
    }

    /// Appends `v` in decimal (with a `-` when negative).
    @inlinable
    public mutating func writeDecimal(_ v: Int) {
        // Digits are produced backwards into a fixed buffer; 20 digits and a sign cover Int64.min.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var magnitude = v.magnitude
            var i = buf.count
            repeat {
                i &-= 1
                buf[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
            } while magnitude > 0
            if v < 0 {
                i &-= 1
                buf[i] = UInt8(ascii: "-")
            }
            write(UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }

    /// Appends `v` in lowercase hexadecimal without prefix (chunk sizes). `v` must not be negative.
    @inlinable
    public mutating func writeHex(_ v: Int) {
        precondition(v >= 0, "writeHex of a negative value")
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var x = UInt(v)
            var i = buf.count
            repeat {
                i &-= 1
                let d = UInt8(truncatingIfNeeded: x & 15)
                buf[i] = d < 10 ? d &+ 0x30 : d &+ 0x57
                x >>= 4
            } while x > 0
            write(UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }
}
