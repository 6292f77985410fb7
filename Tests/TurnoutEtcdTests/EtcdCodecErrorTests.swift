import Testing
@testable import TurnoutEtcd

/// etcd's error answers, and answers Turnout cannot read.
@Suite struct EtcdCodecErrorTests {
    typealias F = GatewayFixtures

    @Test func unaryErrorsCarryTheGRPCCodeAndMessage() {
        #expect(EtcdCodec.decodeError(status: 400, body: F.bytes(F.errorFutureRevision))
            == .server(code: 11, message: "etcdserver: mvcc: required revision is a future revision"))
        #expect(EtcdCodec.decodeError(status: 404, body: F.bytes(F.errorLeaseNotFound)) == .server(code: 5, message: "etcdserver: requested lease not found"))
        #expect(EtcdCodec.decodeError(status: 400, body: F.bytes(F.errorNotJSON)).description
            == "etcd answered with an error: invalid character 'o' in literal null (expecting 'u') (gRPC INVALID_ARGUMENT, code 3)")
    }

    @Test func aCompactedRevisionIsItsOwnCase() {
        // The unary answer does not say which revision is left: 0, and the client asks.
        #expect(EtcdCodec.decodeError(status: 400, body: F.bytes(F.errorCompacted)) == .compacted(revision: 0))
    }

    @Test func aStreamErrorObjectAsAnAnswer() {
        #expect(EtcdCodec.decodeError(status: 503, body: F.bytes(F.watchStreamError)) == .server(code: 14, message: "etcdserver: no leader"))
    }

    @Test func somethingElseThanEtcdsErrorIsMalformedWithItsStart() {
        #expect(EtcdCodec.decodeError(status: 404, body: Array("404 page not found\n".utf8))
            == .malformed(#"etcd's HTTP 404 answer is not an etcd error (it begins "404 page not found "); is this etcd 3.4 or later, with its v3 JSON gateway?"#))
        #expect(EtcdCodec.decodeError(status: 502, body: []) == .malformed("etcd's HTTP 502 answer is not an etcd error (the body is empty)"))
        #expect(EtcdCodec.decodeError(status: 500, body: Array(#"{"x":1}"#.utf8))
            == .malformed(#"etcd's HTTP 500 answer is JSON without an error in it (it begins "{"x":1}")"#))
        #expect(EtcdCodec.decodeError(status: 500, body: Array(#"{"code":"x"}"#.utf8))
            == .malformed(#"etcd's HTTP 500 answer has code = the string "x", expected an int64 (a string of digits or a number)"#))
    }

    @Test(arguments: [
        ("not json", #"etcd's range answer is not JSON: expected 'null' at byte 0, found 'n' (it begins "not json")"#),
        ("", "etcd's range answer is not JSON: expected a value at byte 0, found the end (the body is empty)"),
        (#"[1]"#, "etcd's range answer is an array, expected an object"),
        (#"{"kvs":{}}"#, "etcd's range answer has kvs = an object, expected an array"),
        (#"{"kvs":[1]}"#, "etcd's range answer has kvs[0] as the number 1, expected an object"),
        (#"{"kvs":[{"key":"%%"}]}"#, #"etcd's range answer has kvs[0].key = the string "%%", expected base64 bytes"#),
        (#"{"kvs":[{"key":"/w=="}]}"#, "etcd's range answer has kvs[0].key = /w== (base64), which is not UTF-8 text; Turnout reads only text keys"),
        (#"{"kvs":[{"key":"YQ==","mod_revision":1.5}]}"#, "etcd's range answer has kvs[0].mod_revision = the number 1.5, expected an int64 (a string of digits or a number)"),
        (#"{"header":{"revision":"9223372036854775808"}}"#,
         #"etcd's range answer has header.revision = the string "9223372036854775808", expected an int64 (a string of digits or a number)"#),
        (#"{"more":"true"}"#, #"etcd's range answer has more = the string "true", expected true or false"#),
        (#"{"count":"1","count":"2"}"#, #"etcd's range answer is not JSON: the member "count" appears twice in one object (byte 13) (it begins "{"count":"1","count":"2"}")"#),
    ])
    func malformedAnswersSayWhatAndWhere(body: String, message: String) {
        #expect(throws: EtcdError.malformed(message)) { try EtcdCodec.decodeRange(Array(body.utf8)) }
    }

    @Test func descriptionsAlwaysNameEtcd() {
        #expect(EtcdError.unavailable("etcd at http://127.0.0.1:2379 is unreachable: connection refused (ECONNREFUSED)").description
            == "etcd at http://127.0.0.1:2379 is unreachable: connection refused (ECONNREFUSED)")
        #expect(EtcdError.timeout("no answer").description == "etcd: no answer")
        #expect(EtcdError.compacted(revision: 9).description == "etcd compacted the requested revision away; the oldest revision still available is 9")
        #expect(EtcdError.server(code: 99, message: "odd").description == "etcd answered with an error: odd (gRPC code 99)")
        #expect(EtcdError.malformed("etcd's range answer is an array, expected an object").description == "etcd's range answer is an array, expected an object")
    }
}
