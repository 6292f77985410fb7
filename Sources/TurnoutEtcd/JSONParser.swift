/// A strict JSON parser (RFC 8259) over bytes: no trailing commas, no comments, no duplicate keys,
/// no bytes after the value, strings valid UTF-8 with escapes checked (a lone surrogate is an
/// error), nesting bounded so a hostile answer cannot exhaust the stack.
///
/// Errors say what was expected and at which byte offset; the codec adds which answer it was.
struct JSONParser {
    /// Deeper than anything etcd sends (a transaction's range answer is five levels deep).
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var offset = 0

    /// Parses `bytes` as exactly one JSON value (whitespace around it allowed).
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else { throw parser.error("the end after the value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ expected: String) -> JSONSyntaxError {
        if offset >= bytes.count { return JSONSyntaxError(message: "expected \(expected) at byte \(offset), found the end") }
        let byte = bytes[offset]
        let found = byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return JSONSyntaxError(message: "expected \(expected) at byte \(offset), found \(found)")
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0a, 0x0d: offset += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard offset < bytes.count else { throw error("a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw error("'\(word)'") }
        for i in 0..<count where bytes[offset + i] != word.utf8Start[i] { throw error("'\(word)'") }
        offset += count
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw JSONSyntaxError(message: "nested deeper than \(Self.maxDepth) levels at byte \(offset)") }
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count && bytes[offset] == UInt8(ascii: "\"") else { throw error("a member name in quotes") }
            let keyOffset = offset
            let key = try string()
            skipWhitespace()
            guard offset < bytes.count && bytes[offset] == UInt8(ascii: ":") else { throw error("':' after a member name") }
            offset += 1
            skipWhitespace()
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: key) == nil else {
                throw JSONSyntaxError(message: "the member \"\(key)\" appears twice in one object (byte \(keyOffset))")
            }
            skipWhitespace()
            guard offset < bytes.count else { throw error("',' or '}'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw error("',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw JSONSyntaxError(message: "nested deeper than \(Self.maxDepth) levels at byte \(offset)") }
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw error("',' or ']'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
            throw error("',' or ']'")
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a digit") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a digit after '.'") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw error("a digit in the exponent") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string starting at the opening quote: escapes decoded, raw bytes checked as UTF-8.
    private mutating func string() throws(JSONSyntaxError) -> String {
        offset += 1
        var utf8: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw error("the closing '\"' of a string") }
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw JSONSyntaxError(message: "a string before byte \(offset) is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                offset += 1
                try escape(into: &utf8)
            case 0x00..<0x20:
                throw error("no control character inside a string")
            default:
                utf8.append(byte)
                offset += 1
            }
        }
    }

    /// One escape after its backslash; `\u` pairs of surrogates become one scalar.
    private mutating func escape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        guard offset < bytes.count else { throw error("an escape") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0c)
        case UInt8(ascii: "n"): utf8.append(0x0a)
        case UInt8(ascii: "r"): utf8.append(0x0d)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error("the low surrogate after a high one")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw JSONSyntaxError(message: "a high surrogate without its low one before byte \(offset)") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
                throw JSONSyntaxError(message: "a low surrogate without its high one before byte \(offset)")
            }
            utf8.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
        default:
            offset -= 1
            throw error("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u after a backslash")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw error("four hex digits after \\u") }
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("four hex digits after \\u")
            }
            code = code << 4 | UInt32(digit)
            offset += 1
        }
        return code
    }
}

/// Why bytes are not JSON, with the byte offset.
struct JSONSyntaxError: Error, Sendable {
    let message: String
}
