/// Bit tricks that test eight bytes of a UInt64 at once ("SIMD within a register"). Both tests
/// are exact about whether some byte matches; they are used only to skip clean words.
enum SWAR {
    /// Whether some byte of `w` is below 0x20 (bytes ≥ 0x80 never count).
    @inline(__always)
    static func hasByteBelow0x20(_ w: UInt64) -> Bool {
        (w &- 0x2020_2020_2020_2020) & ~w & 0x8080_8080_8080_8080 != 0
    }

    /// Whether some byte of `w` is zero.
    @inline(__always)
    static func hasZeroByte(_ w: UInt64) -> Bool {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0
    }
}
