import Testing
@testable import TurnoutHTTP

@Test func characterClassMasksMatchTheirDefinitions() {
    // RFC 9110 §5.6.2 tchar.
    #expect(ASCII.tcharLow == ASCII.mask("!#$%&'*+-.0123456789"))
    #expect(ASCII.tcharHigh == ASCII.mask("^_`|~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    #expect(ASCII.hostLow == ASCII.mask("-.0123456789%!$&'()*+,;=:"))
    #expect(ASCII.hostHigh == ASCII.mask("_~[]ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    let tchars = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    for b in 0...255 {
        #expect(ASCII.isTchar(UInt8(b)) == tchars.contains(UInt8(b)), "byte \(b)")
        #expect(ASCII.isFieldValueChar(UInt8(b)) == (b == 9 || (b >= 0x20 && b != 0x7F)), "byte \(b)")
        let lowered = (0x41...0x5A).contains(b) ? b + 32 : b
        #expect(ASCII.lower(UInt8(b)) == UInt8(lowered), "byte \(b)")
        let hex = Array("0123456789abcdef".utf8).firstIndex(of: UInt8(lowered)).map(UInt8.init)
        #expect(ASCII.hexValue(UInt8(b)) == hex, "byte \(b)")
    }
}

@Test func wordAtATimeValueCheckMatchesTheByteRule() {
    // Every byte value at every position of values long enough to take the eight-byte path.
    for length in [8, 9, 15, 16, 17] {
        for position in 0..<length {
            for b in 0...255 {
                var value = [UInt8](repeating: UInt8(ascii: "v"), count: length)
                value[position] = UInt8(b)
                let kind = value.withUnsafeBytes { FieldLine.validateValue($0, 0..<length) }
                let valid = b == 9 || (b >= 0x20 && b != 0x7F)
                #expect((kind == nil) == valid, "byte \(b) at \(position) of \(length)")
            }
        }
    }
    // Words mixing obs-text and HT are clean.
    let mixed: [UInt8] = [0x80, 0x09, 0xFF, 0x20, 0x7E, 0xC3, 0xA9, 0x09, 0x21]
    #expect(mixed.withUnsafeBytes { FieldLine.validateValue($0, 0..<mixed.count) } == nil)
}

@Test func wordAtATimeLowercaseMatchesTheByteRule() {
    // Every byte value at every position of names long enough to take the eight-byte path (the
    // last word overlapping when the length is not a multiple of 8): equal to the literal of x's
    // exactly when the byte is "x" or "X".
    for position in 0..<8 {
        for b in 0...255 {
            let word = UInt64(0x5A41_7A61_405B_6070) & ~(0xFF << UInt64(position * 8)) | UInt64(b) << UInt64(position * 8)
            let lowered = SWAR.lowercased(word)
            for i in 0..<8 {
                let byte = UInt8(truncatingIfNeeded: word >> UInt64(i * 8))
                #expect(UInt8(truncatingIfNeeded: lowered >> UInt64(i * 8)) == ASCII.lower(byte), "byte \(b) at \(position)")
            }
        }
    }
    let literals: [StaticString] = ["xxxxxxxx", "xxxxxxxxx", "xxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxx"]
    for literal in literals {
        let length = literal.utf8CodeUnitCount
        for position in 0..<length {
            for b in 0...255 {
                var name = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                name[position] = UInt8(b)
                let equal = name.withUnsafeBytes { ASCII.equalsLowercase($0, 0..<length, literal) }
                #expect(equal == (b == 0x58 || b == 0x78), "byte \(b) at \(position) of \(length)")
            }
        }
    }
}

@Test func fieldNamesMatchTheirLiteralsIgnoringCase() {
    for (name, literal, expected) in [("Content-Length", "content-length", true), ("CONTENT-LENGTH", "content-length", true),
                                      ("Content-Lengti", "content-length", false), ("Transfer-Encoding", "transfer-encoding", true),
                                      ("Transfer-Encodinf", "transfer-encoding", false), ("Connection", "connection", true),
                                      ("Connectio\u{0D}", "connection", false), ("Host", "host", true), ("Hosu", "host", false)] as [(String, StaticString, Bool)] {
        let bytes = Array(name.utf8)
        #expect(bytes.withUnsafeBytes { ASCII.equalsLowercase($0, 0..<bytes.count, literal) } == expected, "\(name)")
    }
}

@Test func versionWordsSpellTheirText() {
    for (text, word) in [("HTTP/1.1", HTTPVersionText.http11Word), ("HTTP/1.0", HTTPVersionText.http10Word)] {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } == word, "\(text)")
    }
}
