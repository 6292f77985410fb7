import Testing
@testable import TurnoutEtcd

/// The range end of a prefix, on Unicode scalars (see `EtcdCodec.prefixEnd` for why not bytes).
@Suite struct PrefixEndTests {
    @Test(arguments: [
        ("/turnout/", "/turnout0"),
        ("a", "b"),
        ("ab", "ac"),
        ("\u{7F}", "\u{80}"),
        ("é", "ê"),
        ("a\u{D7FF}", "a\u{E000}"),
        // The scalar analogue of etcd's trailing 0xff bytes: U+10FFFF is dropped, the one before incremented.
        ("a\u{10FFFF}", "b"),
        ("a\u{10FFFF}\u{10FFFF}", "b"),
        // Nothing left to increment: every key from the prefix on.
        ("", "\0"),
        ("\u{10FFFF}", "\0"),
    ])
    func ends(prefix: String, end: String) {
        #expect(EtcdCodec.prefixEnd(prefix) == end)
    }

    /// The range holds exactly the UTF-8 strings with the prefix, compared by bytes as etcd does.
    @Test func theRangeHoldsExactlyTheKeysWithThePrefix() {
        let keys = ["", "a", "a\u{7F}", "a\u{80}", "a\u{7FF}", "a\u{800}", "a\u{FFFF}", "a\u{10000}", "a\u{10FFFF}", "a\u{10FFFF}x",
                    "b", "é", "ê", "éa", "\u{10FFFF}"]
        for prefix in ["a", "a\u{7F}", "a\u{7FF}", "a\u{FFFF}", "a\u{10FFFF}", "é"] {
            let start = Array(prefix.utf8)
            let end = Array(EtcdCodec.prefixEnd(prefix).utf8)
            for key in keys {
                let bytes = Array(key.utf8)
                let inRange = !bytes.lexicographicallyPrecedes(start) && bytes.lexicographicallyPrecedes(end)
                #expect(inRange == bytes.starts(with: start), "prefix \(prefix.debugDescription), key \(key.debugDescription)")
            }
        }
    }
}
