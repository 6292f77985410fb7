/// The deterministic body of `/bytes/N` and of `bodyBytes` answers: byte i is `UInt8(i % 251)`.
/// 251 is prime, so a body shifted, truncated or spliced by a broken proxy no longer matches,
/// and tests can check any slice without keeping a copy.
enum BytePattern {
    /// The period of the pattern.
    static let period = 251

    /// The pattern from offset 0, long enough that a window of `maxSlice` bytes starting at any
    /// phase `0..<period` lies inside it; bodies are copied from here, never generated per byte.
    static let maxSlice = 16 * 1024
    static let table: [UInt8] = (0..<(maxSlice + period)).map { UInt8($0 % period) }

    /// The byte at body offset `i`.
    @inline(__always)
    static func byte(at i: Int) -> UInt8 { UInt8(i % period) }

    /// The sum of the first `count` pattern bytes modulo 2^32 (the `X-Checksum` trailer of
    /// chunked `/bytes`), in closed form: whole periods sum to 0 + 1 + … + 250 = 31,375.
    static func checksum(count: Int) -> UInt32 {
        let periods = UInt64(count / period)
        let rest = UInt64(count % period)
        let partial = rest == 0 ? 0 : rest * (rest - 1) / 2
        return UInt32(truncatingIfNeeded: periods &* 31_375 &+ partial)
    }

    /// Copies `count` pattern bytes for body offset `offset` to `destination`; `count` must not
    /// exceed `maxSlice`.
    static func copy(offset: Int, count: Int, to destination: UnsafeMutableRawPointer) {
        precondition(count <= maxSlice, "pattern slice larger than the table")
        table.withUnsafeBytes { source in
            destination.copyMemory(from: source.baseAddress! + offset % period, byteCount: count)
        }
    }
}
