/// Text forms of IP addresses and host names: strict parsing and canonical printing.
///
/// Written by hand rather than with `inet_pton` so that the canonical form (RFC 5952 for IPv6)
/// is the same everywhere and so that the config module needs no socket headers.
enum IPAddressText {
    /// Whether a host looks like an attempt at an IPv4 address: its last label is all digits.
    /// No top-level domain is numeric, so `1.2.3` or `10.0.0.256` must be IPv4 or nothing.
    static func looksNumeric(_ host: Substring) -> Bool {
        let last = host.split(separator: ".", omittingEmptySubsequences: false).last ?? host
        return !last.isEmpty && last.utf8.allSatisfy(isDigit)
    }

    /// `a.b.c.d` with four decimal parts 0-255, no leading zeros (which some tools read as octal).
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy(isDigit),
                part == "0" || !part.hasPrefix("0"),
                let value = Int(part), value <= 255
            else { return nil }
            bytes.append(UInt8(value))
        }
        return bytes
    }

    /// The canonical dotted-decimal text, or nil when `text` is not an IPv4 address.
    static func canonicalIPv4(_ text: Substring) -> String? {
        parseIPv4(text).map { $0.map(String.init).joined(separator: ".") }
    }

    /// Eight 16-bit groups from RFC 4291 text (`::`, embedded IPv4 allowed; zone ids are not).
    static func parseIPv6(_ text: Substring) -> [UInt16]? {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for (i, piece) in pieces.enumerated() {
                if allowIPv4Tail, i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard (1...4).contains(piece.utf8.count), let value = UInt16(piece, radix: 16) else { return nil }
                out.append(value)
            }
            return out
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let all = groups(text, allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0], allowIPv4Tail: false),
                let tail = groups(halves[1], allowIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    /// RFC 5952 text: lowercase hex, no leading zeros, the longest run of two or more zero
    /// groups (the first on a tie) written `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`.
    static func canonicalIPv6(_ text: Substring) -> String? {
        guard let g = parseIPv6(text) else { return nil }
        if g[0..<5].allSatisfy({ $0 == 0 }) && g[5] == 0xFFFF {
            return "::ffff:\(g[6] >> 8).\(g[6] & 0xFF).\(g[7] >> 8).\(g[7] & 0xFF)"
        }
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            guard g[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8 && g[j] == 0 { j += 1 }
            if j - i > bestLength { bestStart = i; bestLength = j - i }
            i = j
        }
        let hex = g.map { String($0, radix: 16) }
        if bestLength < 2 { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// A lowercase DNS name (RFC 1123 labels: letters, digits, inner hyphens, 1-63 bytes each,
    /// 253 in all), or nil. Single-label names (`backend`) are accepted; resolution decides.
    static func canonicalHostName(_ text: Substring) -> String? {
        guard text.utf8.count <= 253 else { return nil }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count),
                bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"),
                bytes.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") })
            else { return nil }
        }
        return text.lowercased()
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
}
