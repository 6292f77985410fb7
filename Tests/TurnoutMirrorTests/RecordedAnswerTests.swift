import Testing
import TurnoutMirror

/// The two renderings a person reads at `GET /mirror`.
struct RecordedAnswerTests {
    static func answer(digest: UInt64 = 0, prefix: [UInt8] = []) -> RecordedAnswer {
        RecordedAnswer(status: 200, bodyBytes: Int64(prefix.count), digest: digest, complete: true,
                       prefix: prefix, latencyNanoseconds: 1_000)
    }

    @Test(arguments: [
        (0 as UInt64, "0000000000000000"),
        (0xAB, "00000000000000ab"),
        (0x0123_4567_89AB_CDEF, "0123456789abcdef"),
        (.max, "ffffffffffffffff"),
    ])
    func digestHexIsSixteenLowercaseDigits(digest: UInt64, expected: String) {
        #expect(Self.answer(digest: digest).digestHex == expected)
    }

    @Test(arguments: [
        ([], ""),
        (Array("{\"ok\": true}".utf8), "{\"ok\": true}"),
        (Array("a\nb\r\n\tc".utf8), "a\\nb\\r\\n\\tc"),
        ([0x00, 0x1F, 0x7F, 0x80, 0xFF], "\\x00\\x1f\\x7f\\x80\\xff"),
        (Array("é".utf8), "\\xc3\\xa9"),
        (Array("C:\\x41".utf8), "C:\\\\x41"),
        (Array(" ~".utf8), " ~"),
    ] as [([UInt8], String)])
    func prefixTextEscapesWhatIsNotPrintable(prefix: [UInt8], expected: String) {
        #expect(Self.answer(prefix: prefix).prefixText == expected)
    }
}
