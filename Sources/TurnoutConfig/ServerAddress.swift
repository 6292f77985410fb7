/// A `host:port` pair from the configuration: a listen address, an upstream server, the admin
/// TCP address.
///
/// The host is kept in canonical text form: an IPv4 address in dotted decimal, an IPv6 address
/// in RFC 5952 form without brackets (`::1`, `2001:db8::1`), or a lowercase DNS name. Names
/// are only checked for syntax here; resolving them is the runtime's job. Two addresses that
/// differ only in spelling (`[0:0::1]:80` and `[::1]:80`) compare equal.
public struct ServerAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The canonical host: `127.0.0.1`, `::1`, `localhost`, `backend.internal`.
    public var host: String
    /// The TCP port; 0 only in listen addresses, where it asks the kernel for a free port.
    public var port: UInt16

    /// Creates an address from parts that are already canonical (no parsing, no checks).
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// What kind of host an address names.
    public enum HostKind: Sendable, Equatable {
        /// A dotted-decimal IPv4 address.
        case ipv4
        /// An IPv6 address.
        case ipv6
        /// A DNS name (including `localhost`), resolved at run time.
        case name
    }

    /// Whether the host is an IPv4 address, an IPv6 address or a name.
    public var hostKind: HostKind {
        if host.utf8.contains(UInt8(ascii: ":")) { return .ipv6 }
        if host.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || isDigit($0) }) { return .ipv4 }
        return .name
    }

    /// Whether the address can only be reached from this machine: 127.0.0.0/8, `::1`,
    /// `::ffff:127.0.0.0/104` and `localhost` (or a name under `.localhost`, RFC 6761).
    public var isLoopback: Bool {
        switch hostKind {
        case .ipv4:
            return host.hasPrefix("127.")
        case .ipv6:
            return host == "::1" || host.hasPrefix("::ffff:127.")
        case .name:
            return host == "localhost" || host.hasSuffix(".localhost")
        }
    }

    /// `host:port`, with brackets around an IPv6 host: `127.0.0.1:80`, `[::1]:80`.
    public var description: String {
        hostKind == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Why a text is not a valid address; the message quotes the text and says what was expected.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text that failed to parse.
        public var text: String
        /// A full sentence, e.g. `"127.0.0.1:99999" is not a valid port (expected 1-65535)`.
        public var message: String

        /// The message.
        public var description: String { message }
    }

    /// Parses `"1.2.3.4:80"`, `"[::1]:80"`, `"localhost:80"` or `"name.example:80"`.
    ///
    /// - Parameter allowingPortZero: accept port 0 (listen addresses: any free port).
    public init(parsing text: String, allowingPortZero: Bool = false) throws(ParseError) {
        func fail(_ message: String) -> ParseError {
            ParseError(text: text, message: message)
        }
        let shown = quoted(text)
        let example = "expected host:port, e.g. \"127.0.0.1:8080\" or \"[::1]:8080\""
        let hostText: Substring
        let portText: Substring
        if text.contains("://") {
            throw fail("\(shown) is a URL; expected host:port without a scheme, e.g. \"127.0.0.1:8080\"")
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw fail("\(shown) has no closing \"]\" after the IPv6 address (\(example))")
            }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else {
                throw fail("\(shown) has no port (\(example))")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw fail(text.isEmpty ? "an empty string is not an address (\(example))" : "\(shown) has no port (\(example))")
            }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            if hostText.contains(":") {
                throw fail("\(shown): an IPv6 address must be written in brackets, e.g. \"[::1]:8080\"")
            }
        }

        let lowest = allowingPortZero ? 0 : 1
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy(isDigit),
            let port = Int(portText), port >= lowest, port <= 65535
        else {
            throw fail("\(shown) is not a valid port (expected \(lowest)-65535)")
        }

        let host: String
        if text.hasPrefix("[") {
            guard let canonical = IPAddressText.canonicalIPv6(hostText) else {
                throw fail("\(shown): \(quoted(String(hostText))) is not a valid IPv6 address")
            }
            host = canonical
        } else if hostText.isEmpty {
            throw fail("\(shown) has no host (\(example); use 0.0.0.0 or [::] for every interface)")
        } else if IPAddressText.looksNumeric(hostText) {
            guard let canonical = IPAddressText.canonicalIPv4(hostText) else {
                throw fail("\(shown): \(quoted(String(hostText))) is not a valid IPv4 address")
            }
            host = canonical
        } else {
            guard let name = IPAddressText.canonicalHostName(hostText) else {
                throw fail("\(shown): \(quoted(String(hostText))) is not a valid host name "
                    + "(letters, digits and \"-\" in dot-separated labels of at most 63 characters)")
            }
            host = name
        }
        self.init(host: host, port: UInt16(port))
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
