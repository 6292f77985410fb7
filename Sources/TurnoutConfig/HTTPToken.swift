/// RFC 9110 §5.6.2 tokens: what header names, cookie names and methods are made of.
enum HTTPToken {
    /// Whether `text` is a non-empty token (`tchar` = ALPHA / DIGIT / `!#$%&'*+-.^_`|~`).
    static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// Whether `text` is a token with no lowercase letter (how methods are written).
    static func isUppercase(_ text: String) -> Bool {
        isValid(text) && !text.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
