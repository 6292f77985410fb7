/// A streaming 64-bit digest of a message body, so a shadow's answer can be compared with the
/// primary's without keeping either body.
///
/// The value depends only on the bytes and their number, never on how the stream was cut into
/// `update` calls: socket reads split a body at arbitrary offsets, and two servers sending the same
/// body must still agree. Up to 7 bytes that do not fill a word are carried to the next call.
///
/// It is fast, not cryptographic: one multiply-xorshift round per 8-byte word. A server that wants
/// two different bodies to collide can make them collide; the comparison only needs honest bodies
/// that differ to give different values, which 64 well-mixed bits do with overwhelming odds.
public struct BodyDigest: Sendable, Equatable {
    /// The running state after every whole word absorbed so far.
    @usableFromInline var state: UInt64
    /// Bytes seen so far; finalisation mixes it in, so inputs that differ only by trailing zero
    /// bytes (which the zero-padded tail word cannot tell apart) still differ.
    @usableFromInline var length: UInt64
    /// Up to 7 bytes not yet absorbed, little-endian: byte `i` of the tail is bits `8i ..< 8i+8`.
    /// Assembling it the same way whatever the call boundaries keeps the digest split-independent.
    @usableFromInline var tail: UInt64
    /// Number of bytes held in `tail` (0...7).
    @usableFromInline var tailCount: Int

    /// The digest of the empty stream.
    public init() {
        state = BodyDigest.seed
        length = 0
        tail = 0
        tailCount = 0
    }

    /// Feeds the next bytes of the stream. Allocation-free; the hot loop loads one unaligned
    /// little-endian word per step, so the value is the same on any host byte order.
    @inlinable
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return }
        length &+= UInt64(truncatingIfNeeded: count)
        var offset = 0
        if tailCount != 0 {
            // Complete the carried word first, so word boundaries stay at multiples of 8 bytes
            // of the whole stream.
            while tailCount < 8, offset < count {
                tail |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << UInt64(tailCount &* 8)
                tailCount &+= 1
                offset &+= 1
            }
            guard tailCount == 8 else { return }
            state = BodyDigest.absorb(state, tail)
            tail = 0
            tailCount = 0
        }
        while count &- offset >= 8 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            state = BodyDigest.absorb(state, word)
            offset &+= 8
        }
        while offset < count {
            tail |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << UInt64(tailCount &* 8)
            tailCount &+= 1
            offset &+= 1
        }
    }

    /// The finalised digest of everything fed so far, length included. Reading it changes
    /// nothing, so a caller may read it and keep feeding.
    public var value: UInt64 {
        var h = state
        // A partial word is absorbed zero-padded; `length` below tells "a" from "a\0".
        if tailCount != 0 { h = BodyDigest.absorb(h, tail) }
        h = BodyDigest.absorb(h, length)
        // Final avalanche (MurmurHash3's fmix64): every input bit reaches every output bit.
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The state before any byte: the fractional part of the golden ratio, so the empty stream
    /// does not start from zero. (A computed constant rather than a `static let`, so the inlined
    /// `update` pays no lazy-global initialisation check.)
    @inlinable static var seed: UInt64 { 0x9E37_79B9_7F4A_7C15 }

    /// One round: mix the word on its own (multiply, xorshift, multiply), fold it into the state,
    /// then rotate and multiply the state so the order of words matters ("ab" ≠ "ba").
    @inlinable @inline(__always)
    static func absorb(_ state: UInt64, _ word: UInt64) -> UInt64 {
        var k = word &* 0x87C3_7B91_1142_53D5
        k ^= k >> 31
        k &*= 0x4CF5_AD43_2745_937F
        let h = state ^ k
        return ((h << 27) | (h >> 37)) &* 0x9FB2_1C65_1E98_DF25 &+ 0x52DC_E729
    }
}
