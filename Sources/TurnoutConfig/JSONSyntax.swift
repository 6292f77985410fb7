/// What `JSONSerialization` does not tell: where a syntax error is in lines and columns, which
/// keys appear twice in one object (it silently keeps the last, which would let a second
/// `"pool"` in a route override the first without a word), and trailing commas (which it
/// accepts, though JSON and every other tool an operator might run over the file do not).
enum JSONSyntax {
    /// 1-based line and column (in characters) of byte `offset`.
    static func lineColumn(offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        return (line, column)
    }

    /// The byte offset in a `JSONSerialization` message such as "Invalid value around character 13."
    static func offset(inMessage message: String) -> Int? {
        guard let range = message.range(of: "character ") else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// A key that appears more than once in one object, or a comma before `}` or `]`.
    struct Problem: Equatable {
        enum Kind: Equatable {
            case duplicateKey
            case trailingComma
        }
        var kind: Kind
        /// The path of the repeated key, or of the container with the trailing comma.
        var path: JSONPath
        /// The 1-based line of the repeated key or of the closing bracket.
        var line: Int

        /// The error to report.
        var error: ConfigError {
            switch kind {
            case .duplicateKey:
                return ConfigError(path: path.description, message: "this key appears more than once in its object "
                    + "(again at line \(line)); only the last value would count, so remove the others")
            case .trailingComma:
                return ConfigError(path: path.description, message: "invalid JSON at line \(line): a comma before the "
                    + "closing bracket; remove it")
            }
        }
    }

    /// Every repeated key and trailing comma in `bytes`, in document order. `bytes` must already
    /// have been accepted by `JSONSerialization`: the scan relies on it being well formed.
    static func problems(in bytes: [UInt8]) -> [Problem] {
        var scanner = StructureScanner(bytes: bytes)
        scanner.run()
        return scanner.found
    }
}

/// A single pass over valid JSON that tracks, per open object, the keys seen so far, and the
/// last significant byte (to spot `,]` and `,}`).
private struct StructureScanner {
    enum Frame {
        case object(path: JSONPath, keys: Set<String>, expectingKey: Bool, currentKey: String)
        case array(path: JSONPath, index: Int)
    }

    let bytes: [UInt8]
    var i = 0
    var line = 1
    var stack: [Frame] = []
    var previous: UInt8 = 0
    var found: [JSONSyntax.Problem] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The path of the value that starts next.
    var valuePath: JSONPath {
        switch stack.last {
        case .object(let path, _, _, let key): return path.key(key)
        case .array(let path, let index): return path.index(index)
        case nil: return .root
        }
    }

    mutating func run() {
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
                continue  // not significant: `previous` keeps the byte before
            case UInt8(ascii: "\n"):
                line += 1
                i += 1
                continue
            case UInt8(ascii: "{"):
                stack.append(.object(path: valuePath, keys: [], expectingKey: true, currentKey: ""))
                i += 1
            case UInt8(ascii: "["):
                stack.append(.array(path: valuePath, index: 0))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if previous == UInt8(ascii: ","), let frame = stack.last {
                    let path: JSONPath
                    switch frame {
                    case .object(let p, _, _, _): path = p
                    case .array(let p, _): path = p
                    }
                    found.append(JSONSyntax.Problem(kind: .trailingComma, path: path, line: line))
                }
                _ = stack.popLast()
                i += 1
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let path, let keys, _, let key):
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: true, currentKey: key)
                case .array(let path, let index):
                    stack[stack.count - 1] = .array(path: path, index: index + 1)
                case nil:
                    break
                }
                i += 1
            case UInt8(ascii: ":"):
                if case .object(let path, let keys, _, let key) = stack.last {
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: false, currentKey: key)
                }
                i += 1
            case UInt8(ascii: "\""):
                let text = readString()
                if case .object(let path, var keys, true, _) = stack.last {
                    if !keys.insert(text).inserted {
                        found.append(JSONSyntax.Problem(kind: .duplicateKey, path: path.key(text), line: line))
                    }
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: false, currentKey: text)
                }
            default:
                i += 1  // a byte of a number or of true/false/null (or a BOM)
            }
            previous = byte
        }
    }

    /// Reads the string starting at the opening quote `bytes[i]`, decoding escapes.
    mutating func readString() -> String {
        i += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            guard bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count else {
                raw.append(bytes[i])
                i += 1
                continue
            }
            flush()
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                var value = readHex4()
                if (0xD800..<0xDC00).contains(value), i + 1 < bytes.count,
                    bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                {
                    i += 2
                    let low = readHex4()
                    value = 0x10000 + ((value - 0xD800) << 10) + (low &- 0xDC00)
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escape))  // \" \\ \/
            }
        }
        flush()
        i += 1
        return String(scalars)
    }

    mutating func readHex4() -> UInt32 {
        guard i + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            i = min(i + 4, bytes.count)
            return 0xFFFD
        }
        i += 4
        return value
    }
}
