import Testing
@testable import TurnoutEtcd

/// Endpoint URLs: what is accepted, and what each refusal says.
@Suite struct EtcdEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:2379", "127.0.0.1", 2379, "http://127.0.0.1:2379"),
        ("http://127.0.0.1:2379/", "127.0.0.1", 2379, "http://127.0.0.1:2379"),
        ("http://[::1]:2379", "::1", 2379, "http://[::1]:2379"),
        ("http://localhost:23790", "localhost", 23790, "http://localhost:23790"),
    ] as [(String, String, UInt16, String)])
    func accepted(url: String, host: String, port: UInt16, description: String) throws {
        let endpoint = try EtcdEndpoint(url: url)
        #expect(endpoint.host == host && endpoint.port == port && endpoint.description == description)
        #expect(endpoint.socketAddress != nil)
    }

    @Test(arguments: [
        ("https://127.0.0.1:2379", "TLS is not supported; use etcd's plain-HTTP client listener (--listen-client-urls http://…) on a trusted network such as loopback"),
        ("127.0.0.1:2379", "expected http://HOST:PORT, e.g. http://127.0.0.1:2379"),
        ("http://127.0.0.1", "a port is required, e.g. :2379"),
        ("http://127.0.0.1:", "the port \"\" is not a number from 1 to 65535"),
        ("http://127.0.0.1:0", "the port \"0\" is not a number from 1 to 65535"),
        ("http://127.0.0.1:99999", "the port \"99999\" is not a number from 1 to 65535"),
        ("http://etcd.internal:2379", "\"etcd.internal\" is not an IP address; Turnout resolves no host names (localhost aside), so give the address"),
        ("http://127.0.0.1:2379/v3", "a path is not allowed; give only http://HOST:PORT"),
        ("http://user@127.0.0.1:2379", "user info is not supported"),
        ("http://[::1:2379", "an IPv6 address needs its closing ]"),
        ("http://:2379", "the host is missing"),
    ])
    func refused(url: String, why: String) {
        #expect(throws: EtcdError.malformed("etcd endpoint \"\(url)\" is not usable: \(why)")) { try EtcdEndpoint(url: url) }
    }
}
