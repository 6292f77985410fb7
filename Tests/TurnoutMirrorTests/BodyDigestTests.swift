import Testing
import TurnoutMirror

/// Split-independence, sensitivity to content, order and length, and a pinned value.
struct BodyDigestTests {
    /// The digest of `bytes` fed in the given pieces (lengths summing to `bytes.count`).
    static func digest(_ bytes: [UInt8], pieces: [Int]) -> BodyDigest {
        var digest = BodyDigest()
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            for length in pieces {
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]))
                offset += length
            }
        }
        return digest
    }

    static func value(_ text: String) -> UInt64 {
        let bytes = Array(text.utf8)
        return digest(bytes, pieces: [bytes.count]).value
    }

    /// Inputs of every length 0...40, with bytes that differ by position so a misplaced byte shows.
    static let inputs: [[UInt8]] = (0...40).map { length in (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }
        + [Array("The quick brown fox jumps over the lazy dog".utf8), [UInt8](repeating: 0, count: 23)]

    @Test(arguments: inputs)
    func splitAtEveryOffsetGivesTheWholeValue(bytes: [UInt8]) {
        let whole = Self.digest(bytes, pieces: [bytes.count])
        for cut in 0...bytes.count {
            #expect(Self.digest(bytes, pieces: [cut, bytes.count - cut]) == whole, "cut at \(cut)")
        }
        #expect(Self.digest(bytes, pieces: Array(repeating: 1, count: bytes.count)).value == whole.value, "byte by byte")
        // Two cuts: the first piece fills part of a tail that the second piece completes.
        for first in 0...bytes.count {
            for second in first...bytes.count where second - first <= 9 {
                let pieces = [first, second - first, bytes.count - second]
                #expect(Self.digest(bytes, pieces: pieces).value == whole.value, "pieces \(pieces)")
            }
        }
    }

    @Test func emptyUpdatesChangeNothing() {
        var digest = BodyDigest()
        digest.update(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(digest == BodyDigest())
        #expect(Self.digest([1, 2, 3], pieces: [0, 3, 0, 0]) == Self.digest([1, 2, 3], pieces: [3]))
    }

    /// Inputs that a weak digest confuses: lengths that differ by trailing zeros, swapped bytes and
    /// swapped words, a tail versus a full word.
    static let distinctInputs: [[UInt8]] = [
        [], [0], [0, 0], [UInt8](repeating: 0, count: 7), [UInt8](repeating: 0, count: 8),
        [UInt8](repeating: 0, count: 9), [UInt8](repeating: 0, count: 16),
        Array("a".utf8), Array("b".utf8), Array("ab".utf8), Array("ba".utf8), Array("a\0".utf8),
        Array("abcdefgh".utf8), Array("abcdefgi".utf8), Array("hgfedcba".utf8),
        Array("abcdefghijklmnop".utf8), Array("ijklmnopabcdefgh".utf8), Array("abcdefghijklmnoq".utf8),
        Array("{\"id\":1}".utf8), Array("{\"id\":2}".utf8), Array("HTTP/1.1 200 OK".utf8),
    ]

    @Test func differentInputsGiveDifferentValues() {
        let values = Self.distinctInputs.map { Self.digest($0, pieces: [$0.count]).value }
        #expect(Set(values).count == values.count, "\(values)")
    }

    @Test func everySingleBitFlipChangesTheValue() {
        let base = Self.inputs[40]
        let original = Self.digest(base, pieces: [base.count]).value
        var seen: Set<UInt64> = [original]
        for bit in 0..<(base.count * 8) {
            var flipped = base
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            seen.insert(Self.digest(flipped, pieces: [flipped.count]).value)
        }
        #expect(seen.count == base.count * 8 + 1)
    }

    @Test func readingTheValueDoesNotDisturbTheStream() {
        var digest = BodyDigest()
        Array("abc".utf8).withUnsafeBytes { digest.update($0) }
        _ = digest.value
        Array("def".utf8).withUnsafeBytes { digest.update($0) }
        #expect(digest.value == Self.value("abcdef"))
    }

    /// Pinned so a change to the mixing (which would make digests logged before an upgrade
    /// incomparable with new ones) is a deliberate decision, not an accident.
    @Test(arguments: [
        ("", 0x0B67_A355_7BDE_EEC9 as UInt64),
        ("The quick brown fox jumps over the lazy dog", 0xFB2A_234E_25B8_F5E8 as UInt64),
    ])
    func valuesAreStableAcrossRuns(text: String, expected: UInt64) {
        #expect(Self.value(text) == expected, "0x\(String(Self.value(text), radix: 16))")
    }
}
