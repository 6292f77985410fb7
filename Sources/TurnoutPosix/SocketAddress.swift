import Glibc

/// An IPv4, IPv6 or Unix socket address in its kernel form, ready for bind/connect.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    public private(set) var storage: sockaddr_storage
    public private(set) var length: socklen_t

    public init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    public var family: sa_family_t { storage.ss_family }

    /// Parses a numeric host (`127.0.0.1`, `::1`; `localhost` means 127.0.0.1) and a port.
    /// Name resolution is not done here: Turnout's configuration names servers by address.
    public init?(host: String, port: UInt16) {
        var storage = sockaddr_storage()
        let literal = host == "localhost" ? "127.0.0.1" : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v4) { raw.copyMemory(from: $0) } }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in>.size))
            return
        }
        var v6 = sockaddr_in6()
        let trimmed = literal.hasPrefix("[") && literal.hasSuffix("]") ? String(literal.dropFirst().dropLast()) : literal
        if inet_pton(AF_INET6, trimmed, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v6) { raw.copyMemory(from: $0) } }
            self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_in6>.size))
            return
        }
        return nil
    }

    /// A Unix-domain socket path (at most 107 bytes).
    public init?(unixPath: String) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(unixPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        self.init(storage: storage, length: socklen_t(MemoryLayout<sockaddr_un>.size))
    }

    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The port in host byte order (0 for Unix addresses).
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch Int32(family) {
            case AF_INET: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: return 0
            }
        }
    }

    /// The same address with another port (used to bind every loop's listener to the port the
    /// first one was given for port 0).
    public func with(port: UInt16) -> SocketAddress {
        var copy = self
        withUnsafeMutableBytes(of: &copy.storage) { raw in
            switch Int32(family) {
            case AF_INET: raw.storeBytes(of: port.bigEndian, toByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_port)!, as: UInt16.self)
            case AF_INET6: raw.storeBytes(of: port.bigEndian, toByteOffset: MemoryLayout<sockaddr_in6>.offset(of: \.sin6_port)!, as: UInt16.self)
            default: break
            }
        }
        return copy
    }

    /// The host part as text (`127.0.0.1`, `::1`), as X-Forwarded-For carries it.
    public var hostText: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        return withUnsafeBytes(of: storage) { raw -> String in
            switch Int32(family) {
            case AF_INET:
                var a = raw.load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
            case AF_INET6:
                var a = raw.load(as: sockaddr_in6.self).sin6_addr
                inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
            case AF_UNIX:
                return "unix"
            default:
                return "?"
            }
            return String(cString: buffer)
        }
    }

    public var description: String {
        switch Int32(family) {
        case AF_INET6: return "[\(hostText)]:\(port)"
        case AF_UNIX: return "unix"
        default: return "\(hostText):\(port)"
        }
    }

    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        guard a.length == b.length else { return false }
        return withUnsafeBytes(of: a.storage) { x in
            withUnsafeBytes(of: b.storage) { y in memcmp(x.baseAddress!, y.baseAddress!, Int(a.length)) == 0 }
        }
    }
}
