import Glibc

/// The admin API's shared secret (SPEC §6, §11). Presented tokens are compared in constant
/// time: the comparison reads every byte of both, so its duration does not reveal how long a
/// correct prefix a guess had.
public struct BearerToken: Sendable {
    private let secret: [UInt8]

    /// A token from its text; leading and trailing whitespace (a newline from `echo`) is dropped.
    public init?(_ text: String) {
        let trimmed = text.utf8.drop { Self.isSpace($0) }.reversed().drop { Self.isSpace($0) }.reversed()
        guard !trimmed.isEmpty else { return nil }
        secret = Array(trimmed)
    }

    /// Reads the token file; the error says which file and why.
    public static func load(path: String) throws(AdminError) -> BearerToken {
        guard let text = readWholeFile(path) else {
            throw AdminError("cannot read admin.token_file \(path): \(String(cString: strerror(errno)))")
        }
        guard let token = BearerToken(text) else { throw AdminError("admin.token_file \(path) is empty") }
        return token
    }

    /// Whether an `Authorization` field value is `Bearer <this token>`.
    public func accepts(authorization value: UnsafeRawBufferPointer) -> Bool {
        let scheme = Array("bearer ".utf8)
        guard value.count > scheme.count else { return false }
        for i in 0..<scheme.count where Self.lowercased(value[i]) != scheme[i] { return false }
        var presented = value[scheme.count...].drop { Self.isSpace($0) }[...]
        while let last = presented.last, Self.isSpace(last) { presented = presented.dropLast() }
        return Self.constantTimeEqual(Array(presented), secret)
    }

    /// The header value a client sends.
    public var authorizationValue: String { "Bearer " + String(decoding: secret, as: UTF8.self) }

    /// Equal length and equal bytes, decided after looking at every byte of the longer one.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        difference |= UInt8(truncatingIfNeeded: (a.count ^ b.count) >> 8)
        let length = max(a.count, b.count)
        for i in 0..<length {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}

/// A small file read whole with POSIX calls (TurnoutAdmin stays free of Foundation).
func readWholeFile(_ path: String, limit: Int = 1 << 20) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count <= limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { return nil }
        if n == 0 { return String(decoding: bytes, as: UTF8.self) }
        bytes += chunk[0..<n]
    }
    errno = EFBIG
    return nil
}
