import TurnoutPosix

/// Where one etcd member listens for clients: `http://` and a numeric host (or `localhost`) with
/// a port. TLS is not spoken; see `init(url:)`.
public struct EtcdEndpoint: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// `127.0.0.1`, `::1` (without brackets) or `localhost`.
    public let host: String
    public let port: UInt16

    /// Parses `http://127.0.0.1:2379`, `http://[::1]:2379` or `http://localhost:2379` (a trailing
    /// `/` is allowed). Host names other than `localhost` are refused: Turnout resolves no names,
    /// as in its configuration; so are `https://` (no TLS), paths, user info and missing ports.
    public init(url: String) throws(EtcdError) {
        func refuse(_ why: String) -> EtcdError { .malformed("etcd endpoint \"\(url)\" is not usable: \(why)") }
        if url.hasPrefix("https://") {
            throw refuse("TLS is not supported; use etcd's plain-HTTP client listener (--listen-client-urls http://…) on a trusted network such as loopback")
        }
        guard url.hasPrefix("http://") else { throw refuse("expected http://HOST:PORT, e.g. http://127.0.0.1:2379") }
        var rest = Substring(url.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/") else { throw refuse("a path is not allowed; give only http://HOST:PORT") }
        guard !rest.contains("@") else { throw refuse("user info is not supported") }
        let hostPart: Substring
        let portPart: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw refuse("an IPv6 address needs its closing ]") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw refuse("expected :PORT after the IPv6 address") }
            portPart = after.isEmpty ? nil : after.dropFirst()
        } else {
            let pieces = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            hostPart = pieces[0]
            portPart = pieces.count > 1 ? pieces[1] : nil
        }
        guard let portPart else { throw refuse("a port is required, e.g. :2379") }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), let port = UInt16(portPart), port > 0 else {
            throw refuse("the port \"\(portPart)\" is not a number from 1 to 65535")
        }
        let host = String(hostPart)
        guard !host.isEmpty else { throw refuse("the host is missing") }
        guard host == "localhost" || SocketAddress(host: host, port: port) != nil else {
            throw refuse("\"\(host)\" is not an IP address; Turnout resolves no host names (localhost aside), so give the address")
        }
        self.host = host
        self.port = port
    }

    /// `http://host:port`, brackets around an IPv6 host.
    public var description: String { "http://\(authority)" }

    /// `host:port` as the Host field wants it.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The address to connect to (`localhost` is 127.0.0.1). Never nil for a parsed endpoint:
    /// `init(url:)` checked it.
    var socketAddress: SocketAddress? { SocketAddress(host: host, port: port) }
}
