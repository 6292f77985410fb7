/// Bit tricks that test eight bytes of a UInt64 at once ("SIMD within a register"). Both tests
/// are exact about whether some byte matches; they are used only to skip clean words.
@usableFromInline
enum SWAR {
    /// Whether some byte of `w` is below 0x20 (bytes ≥ 0x80 never count).
    @inline(__always)
    static func hasByteBelow0x20(_ w: UInt64) -> Bool {
        (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080 != 0
    }

    /// `w` with its ASCII letters A–Z made lowercase, every other byte unchanged: a byte gets
    /// 0x20 added when its low seven bits are at least "A" and at most "Z" and its top bit is clear.
    @inlinable @inline(__always)
    static func lowercased(_ w: UInt64) -> UInt64 {
        let low7 = w & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastA = low7 &+ 0x3F3F_3F3F_3F3F_3F3F  // 0x80 - 0x41 ("A")
        let aboveZ = low7 &+ 0x2525_2525_2525_2525    // 0x80 - 0x5B ("Z" + 1)
        let upper = atLeastA & ~aboveZ & ~w & 0x8080_8080_8080_8080
        return w | (upper &>> 2)
    }

    /// Whether some byte of `w` is zero.
    @inline(__always)
    static func hasZeroByte(_ w: UInt64) -> Bool {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0
    }
}
