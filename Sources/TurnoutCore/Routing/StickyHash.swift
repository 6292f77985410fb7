/// The bucket a sticky key (a cookie or header value) falls in: FNV-1a over the bytes, then the
/// SplitMix64 finaliser to spread FNV's weak low bits, modulo 10,000. It depends on the bytes
/// only — no per-process seed, unlike Swift's `Hasher` — so every Turnout instance with the
/// same configuration puts the same user in the same bucket without sharing state.
public enum StickyHash {
    public static let bucketCount = 10_000

    @inlinable
    public static func bucket(of key: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Int(hash % UInt64(bucketCount))
    }

    public static func bucket(of key: String) -> Int {
        var copy = key
        return copy.withUTF8 { bucket(of: UnsafeRawBufferPointer($0)) }
    }
}
