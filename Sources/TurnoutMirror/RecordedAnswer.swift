/// One side of a recorded mismatch: enough of an answer for a person to see how it differed.
public struct RecordedAnswer: Sendable, Equatable {
    public var status: Int
    /// Body bytes received, counted in full even past the compare limit.
    public var bodyBytes: Int64
    /// `BodyDigest` value of the body (of its first compare-limit bytes when not `complete`).
    public var digest: UInt64
    /// Whether `digest` covers the whole body.
    public var complete: Bool
    /// The body's first bytes (up to `AnswerRecorder.prefixLimit`).
    public var prefix: [UInt8]
    /// From the request being sent to the answer's last byte.
    public var latencyNanoseconds: UInt64

    public init(status: Int, bodyBytes: Int64, digest: UInt64, complete: Bool, prefix: [UInt8], latencyNanoseconds: UInt64) {
        self.status = status
        self.bodyBytes = bodyBytes
        self.digest = digest
        self.complete = complete
        self.prefix = prefix
        self.latencyNanoseconds = latencyNanoseconds
    }

    /// The digest as 16 lowercase hex digits, zero-padded: the form a person compares by eye.
    public var digestHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 {
            text[i] = digits[Int(truncatingIfNeeded: digest >> UInt64(60 - 4 * i)) & 0xF]
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The prefix as text a terminal or a JSON viewer shows safely: printable ASCII as is,
    /// `\n`, `\r` and `\t` escaped, every other byte as `\xNN`. A backslash is written `\\`, so
    /// a body that contains the text `\x41` cannot be mistaken for one holding the byte 0x41.
    public var prefixText: String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(prefix.count)
        for byte in prefix {
            switch byte {
            case UInt8(ascii: "\\"): text += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): text += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): text += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): text += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x20...0x7E: text.append(byte)
            default: text += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
