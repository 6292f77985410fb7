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
