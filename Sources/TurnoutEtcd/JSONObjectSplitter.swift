/// Cuts a byte stream into top-level JSON objects, for the gateway's streams (watch, lease
/// keep-alive): it writes one object and a newline per message, but TCP segments and HTTP chunks
/// need not fall on those boundaries, so bytes are buffered and an object is handed out only when
/// its closing brace arrives. Braces inside strings (and escaped quotes) are skipped; whitespace
/// between objects is allowed; anything else there is an error. The scan resumes where it
/// stopped, so a large object arriving in many pieces is scanned once.
struct JSONObjectSplitter {
    /// The largest object accepted: the bound of a whole answer.
    let maxObjectBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next object starts in `buffer` (bytes before it are handed out).
    private var start = 0
    /// How far the current object has been scanned, and the scanner's state there.
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false

    init(maxObjectBytes: Int = 64 << 20) {
        self.maxObjectBytes = maxObjectBytes
    }

    /// Bytes held that are not yet a complete object.
    var pendingCount: Int { buffer.count - start }

    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            // Drop what was handed out, once it is at least half the buffer: amortised O(1) a byte.
            buffer.removeSubrange(0..<start)
            scanned = max(scanned - start, 0)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete object, nil until more bytes arrive; throws on bytes that cannot start
    /// an object or an object past the size bound.
    mutating func next() throws(JSONSyntaxError) -> [UInt8]? {
        if depth == 0 {
            // Between objects: skip whitespace, then expect '{'.
            while start < buffer.count {
                switch buffer[start] {
                case 0x20, 0x09, 0x0a, 0x0d: start += 1
                case UInt8(ascii: "{"):
                    scanned = start
                    return try scan()
                default:
                    let byte = buffer[start]
                    throw JSONSyntaxError(message: "expected '{' to start the next object, found \(byte >= 0x20 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))")")
                }
            }
            return nil
        }
        return try scan()
    }

    /// Scans on from `scanned` until the object that starts at `start` closes.
    private mutating func scan() throws(JSONSyntaxError) -> [UInt8]? {
        while scanned < buffer.count {
            let byte = buffer[scanned]
            scanned += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    let object = Array(buffer[start..<scanned])
                    start = scanned
                    return object
                }
            default: break
            }
        }
        if buffer.count - start > maxObjectBytes {
            throw JSONSyntaxError(message: "an object grew past \(maxObjectBytes) bytes without ending")
        }
        return nil
    }
}
