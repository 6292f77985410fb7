import Testing
@testable import TurnoutHTTP

/// Runs `body` with the raw bytes of two strings.
func withBytes<R>(_ a: String, _ b: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
    let x = bytes(a), y = bytes(b)
    return x.withUnsafeBytes { xa in y.withUnsafeBytes { yb in body(xa, yb) } }
}

/// A cookie lookup and its expected value.
struct CookieCase: Sendable, CustomTestStringConvertible {
    var header: String
    var name: String
    var value: String?
    var testDescription: String { "\(name) in \(header)" }
}

let cookieCases: [CookieCase] = [
    CookieCase(header: "a=1; b=2", name: "a", value: "1"),
    CookieCase(header: "a=1; b=2", name: "b", value: "2"),
    CookieCase(header: "a=1;b=2", name: "b", value: "2"),
    CookieCase(header: "  a = 1 ;  b =  2  ", name: "b", value: "2"),
    CookieCase(header: "a=1; b=2", name: "c", value: nil),
    CookieCase(header: "xcanary=1; canary=0", name: "canary", value: "0"),
    CookieCase(header: "xcanary=1", name: "canary", value: nil),
    CookieCase(header: "canary2=1", name: "canary", value: nil),
    CookieCase(header: "canary=1", name: "canary2", value: nil),
    CookieCase(header: "Canary=1; canary=2", name: "canary", value: "2"),
    CookieCase(header: "canary=1; canary=2", name: "canary", value: "1"),
    CookieCase(header: "s=\"quoted value\"", name: "s", value: "quoted value"),
    CookieCase(header: "s=\"", name: "s", value: "\""),
    CookieCase(header: "s=", name: "s", value: ""),
    CookieCase(header: "flag; s=1", name: "flag", value: nil),
    CookieCase(header: "flag; s=1", name: "s", value: "1"),
    CookieCase(header: "a=b=c", name: "a", value: "b=c"),
    CookieCase(header: "", name: "a", value: nil),
    CookieCase(header: ";;", name: "a", value: nil),
    CookieCase(header: "session_id=abc123; theme=dark", name: "session_id", value: "abc123"),
]

@Test("cookie values", arguments: cookieCases)
func cookie(_ c: CookieCase) {
    let range = withBytes(c.name, c.header) { name, value in HTTPBytes.cookie(name, in: value) }
    #expect(text(bytes(c.header), range) == c.value)
}

/// A query parameter lookup and its expected raw value.
struct QueryCase: Sendable, CustomTestStringConvertible {
    var query: String
    var name: String
    var value: String?
    var testDescription: String { "\(name) in \(query)" }
}

let queryCases: [QueryCase] = [
    QueryCase(query: "a=1&b=2", name: "a", value: "1"),
    QueryCase(query: "a=1&b=2", name: "b", value: "2"),
    QueryCase(query: "a=1&b=2", name: "c", value: nil),
    QueryCase(query: "xa=1&a=2", name: "a", value: "2"),
    QueryCase(query: "a=1&a=2", name: "a", value: "1"),
    QueryCase(query: "a&b=2", name: "a", value: ""),
    QueryCase(query: "a=&b=2", name: "a", value: ""),
    QueryCase(query: "b=2&a", name: "a", value: ""),
    QueryCase(query: "a=x%20y+z", name: "a", value: "x%20y+z"),
    QueryCase(query: "%61=1", name: "a", value: nil),
    QueryCase(query: "A=1", name: "a", value: nil),
    QueryCase(query: "a=1=2", name: "a", value: "1=2"),
    QueryCase(query: "", name: "a", value: nil),
    QueryCase(query: "&&", name: "a", value: nil),
    QueryCase(query: "canary=1&", name: "canary", value: "1"),
]

@Test("query parameters", arguments: queryCases)
func queryParameter(_ c: QueryCase) {
    let range = withBytes(c.name, c.query) { name, query in HTTPBytes.queryParameter(name, in: query) }
    #expect(text(bytes(c.query), range) == c.value)
}

@Test func equalsIgnoringCase() {
    let cases: [(String, String, Bool)] = [
        ("X-Turnout-Pool", "x-turnout-pool", true), ("abc", "ABC", true), ("abc", "abd", false),
        ("abc", "ab", false), ("", "", true), ("[", "{", false), ("@", "`", false), ("é", "É", false),
    ]
    for (a, b, expected) in cases {
        #expect(withBytes(a, b) { HTTPBytes.equalsIgnoringCase($0, $1) } == expected, "\(a) vs \(b)")
    }
}

@Test func hasPrefix() {
    let cases: [(String, String, Bool)] = [
        ("/api/v1", "/api", true), ("/api", "/api", true), ("/ap", "/api", false),
        ("/API/v1", "/api", false), ("/x", "", true), ("", "", true), ("", "/", false),
    ]
    for (s, prefix, expected) in cases {
        #expect(withBytes(s, prefix) { HTTPBytes.hasPrefix($0, $1) } == expected, "\(s) has prefix \(prefix)")
    }
}

@Test func cookieRangeIsRelativeToTheValue() {
    // Within a parsed head: add the value's lowerBound to get back to head offsets.
    let raw = bytes("GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; canary=yes\r\n\r\n")
    let (_, head) = parseRequestOnce(raw)
    raw.withUnsafeBytes { src in
        let value = head.field("cookie", in: src)!
        let relative = bytes("canary").withUnsafeBytes {
            HTTPBytes.cookie($0, in: UnsafeRawBufferPointer(rebasing: src[value]))
        }!
        let absolute = (value.lowerBound + relative.lowerBound)..<(value.lowerBound + relative.upperBound)
        #expect(text(raw, absolute) == "yes")
    }
}
