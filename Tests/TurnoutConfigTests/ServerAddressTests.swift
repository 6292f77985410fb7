import Testing
@testable import TurnoutConfig

struct AddressCase: Sendable, CustomStringConvertible {
    var text: String
    var canonical: String
    var kind: ServerAddress.HostKind
    var loopback: Bool
    var description: String { text }
}

let validAddresses: [AddressCase] = [
    AddressCase(text: "1.2.3.4:80", canonical: "1.2.3.4:80", kind: .ipv4, loopback: false),
    AddressCase(text: "0.0.0.0:65535", canonical: "0.0.0.0:65535", kind: .ipv4, loopback: false),
    AddressCase(text: "127.0.0.1:8080", canonical: "127.0.0.1:8080", kind: .ipv4, loopback: true),
    AddressCase(text: "127.9.9.9:1", canonical: "127.9.9.9:1", kind: .ipv4, loopback: true),
    AddressCase(text: "[::1]:80", canonical: "[::1]:80", kind: .ipv6, loopback: true),
    AddressCase(text: "[0:0:0:0:0:0:0:1]:443", canonical: "[::1]:443", kind: .ipv6, loopback: true),
    AddressCase(text: "[::]:80", canonical: "[::]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "[2001:DB8:0:0:1:0:0:1]:80", canonical: "[2001:db8::1:0:0:1]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "[2001:db8:0:1:1:1:1:1]:80", canonical: "[2001:db8:0:1:1:1:1:1]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "[2001:0db8::0001]:80", canonical: "[2001:db8::1]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "[1:0:0:2:0:0:0:3]:80", canonical: "[1:0:0:2::3]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "[::ffff:127.0.0.1]:80", canonical: "[::ffff:127.0.0.1]:80", kind: .ipv6, loopback: true),
    AddressCase(text: "[::FFFF:7f00:1]:80", canonical: "[::ffff:127.0.0.1]:80", kind: .ipv6, loopback: true),
    AddressCase(text: "[64:ff9b::192.0.2.33]:80", canonical: "[64:ff9b::c000:221]:80", kind: .ipv6, loopback: false),
    AddressCase(text: "localhost:80", canonical: "localhost:80", kind: .name, loopback: true),
    AddressCase(text: "LocalHost:80", canonical: "localhost:80", kind: .name, loopback: true),
    AddressCase(text: "Backend.Example.COM:8080", canonical: "backend.example.com:8080", kind: .name, loopback: false),
    AddressCase(text: "backend:1", canonical: "backend:1", kind: .name, loopback: false),
    AddressCase(text: "web-1.svc.cluster.local:9000", canonical: "web-1.svc.cluster.local:9000", kind: .name, loopback: false),
    AddressCase(text: "3com.net:80", canonical: "3com.net:80", kind: .name, loopback: false),
]

@Test("valid addresses parse to their canonical form", arguments: validAddresses)
func validAddressParses(_ c: AddressCase) throws {
    let address = try ServerAddress(parsing: c.text)
    #expect(address.description == c.canonical)
    #expect(address.hostKind == c.kind)
    #expect(address.isLoopback == c.loopback)
    // The canonical form parses back to the same value.
    #expect(try ServerAddress(parsing: address.description) == address)
}

let invalidAddresses: [(text: String, fragment: String)] = [
    ("", "an empty string is not an address"),
    ("1.2.3.4", #""1.2.3.4" has no port"#),
    ("1.2.3.4:", #""1.2.3.4:" is not a valid port (expected 1-65535)"#),
    ("1.2.3.4:0", "is not a valid port (expected 1-65535)"),
    ("1.2.3.4:65536", "is not a valid port"),
    ("127.0.0.1:99999", #""127.0.0.1:99999" is not a valid port (expected 1-65535)"#),
    ("1.2.3.4:http", "is not a valid port"),
    ("1.2.3.4:+80", "is not a valid port"),
    ("1.2.3.4:000080", "is not a valid port"),
    ("1.2.3.256:80", #""1.2.3.256" is not a valid IPv4 address"#),
    ("01.2.3.4:80", "is not a valid IPv4 address"),
    ("1.2.3:80", "is not a valid IPv4 address"),
    ("1.2.3.4.5:80", "is not a valid IPv4 address"),
    ("::1:80", "an IPv6 address must be written in brackets"),
    ("[::1:80", #"no closing "]""#),
    ("[::1]80", "has no port"),
    ("[::1]", "has no port"),
    ("[::g]:80", "is not a valid IPv6 address"),
    ("[1::2::3]:80", "is not a valid IPv6 address"),
    ("[1:2:3:4:5:6:7:8:9]:80", "is not a valid IPv6 address"),
    ("[1:2:3:4:5:6:7]:80", "is not a valid IPv6 address"),
    ("[1:2:3:4::5:6:7:8]:80", "is not a valid IPv6 address"),
    ("[12345::1]:80", "is not a valid IPv6 address"),
    ("[fe80::1%eth0]:80", "is not a valid IPv6 address"),
    ("[]:80", "is not a valid IPv6 address"),
    (":80", "has no host"),
    ("-bad.example:80", "is not a valid host name"),
    ("bad-.example:80", "is not a valid host name"),
    ("under_score:80", "is not a valid host name"),
    ("a..b:80", "is not a valid host name"),
    ("exa mple:80", "is not a valid host name"),
    ("http://x:80", "is a URL; expected host:port without a scheme"),
]

@Test("invalid addresses say what is wrong", arguments: invalidAddresses)
func invalidAddressFails(_ text: String, _ fragment: String) {
    #expect {
        try ServerAddress(parsing: text)
    } throws: { error in
        guard let error = error as? ServerAddress.ParseError else { return false }
        return error.message.contains(fragment) && error.text == text
    }
}

@Test func portZeroOnlyWhenAllowed() throws {
    #expect(try ServerAddress(parsing: "127.0.0.1:0", allowingPortZero: true).port == 0)
    #expect(throws: ServerAddress.ParseError.self) { try ServerAddress(parsing: "127.0.0.1:0") }
    let error = #expect(throws: ServerAddress.ParseError.self) { try ServerAddress(parsing: "[::1]:70000", allowingPortZero: true) }
    #expect(error?.message.contains("(expected 0-65535)") == true)
}

@Test func spellingsOfOneAddressAreEqual() throws {
    let a = try ServerAddress(parsing: "[0:0::1]:80")
    let b = try ServerAddress(parsing: "[::1]:80")
    #expect(a == b)
    #expect(Set([a, b]).count == 1)
    #expect(ServerAddress(host: "::1", port: 80) == a)
}
