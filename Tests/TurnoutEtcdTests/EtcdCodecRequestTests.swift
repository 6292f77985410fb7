import Testing
@testable import TurnoutEtcd

/// The exact bytes of every request: paths, snake_case names, base64 keys and values, int64s as
/// strings, defaults left out.
@Suite struct EtcdCodecRequestTests {
    @Test(arguments: [
        (EtcdOp.range(key: "foo", rangeEnd: nil, limit: 0, revision: 0), "/v3/kv/range", #"{"key":"Zm9v"}"#),
        (.range(key: "/turnout/", rangeEnd: EtcdCodec.prefixEnd("/turnout/"), limit: 0, revision: 0), "/v3/kv/range",
         #"{"key":"L3R1cm5vdXQv","range_end":"L3R1cm5vdXQw"}"#),
        (.range(key: "foo", rangeEnd: "fop", limit: 10, revision: 42), "/v3/kv/range",
         #"{"key":"Zm9v","range_end":"Zm9w","limit":"10","revision":"42"}"#),
        (.put(key: "foo", value: Array("bar".utf8), lease: 0), "/v3/kv/put", #"{"key":"Zm9v","value":"YmFy"}"#),
        (.put(key: "foo", value: [], lease: 7_587_862_145_543_567_123), "/v3/kv/put",
         #"{"key":"Zm9v","value":"","lease":"7587862145543567123"}"#),
        (.deleteRange(key: "foo", rangeEnd: nil), "/v3/kv/deleterange", #"{"key":"Zm9v"}"#),
        (.deleteRange(key: "a", rangeEnd: "\0"), "/v3/kv/deleterange", #"{"key":"YQ==","range_end":"AA=="}"#),
    ])
    func opRequests(op: EtcdOp, path: String, json: String) {
        let request = EtcdCodec.request(op)
        #expect(request.path == path)
        #expect(request.body.text == json)
    }

    @Test func aTransactionWithEveryCompareTargetAndBothBranches() {
        let txn = EtcdTxn(
            compare: [
                EtcdCompare(key: "a", .equal, .version(0)),
                EtcdCompare(key: "b", .greater, .createRevision(5)),
                EtcdCompare(key: "c", .equal, .modRevision(9_007_199_254_740_993)),
                EtcdCompare(key: "d", .notEqual, .value([0x00, 0xff])),
                EtcdCompare(key: "e", .less, .modRevision(3)),
            ],
            success: [.put(key: "a", value: Array("x".utf8), lease: 0), .deleteRange(key: "b", rangeEnd: nil)],
            failure: [.range(key: "a", rangeEnd: nil, limit: 0, revision: 0)])
        let request = EtcdCodec.request(txn)
        #expect(request.path == "/v3/kv/txn")
        #expect(request.body.text == #"{"compare":["#
            + #"{"key":"YQ==","result":"EQUAL","target":"VERSION","version":"0"},"#
            + #"{"key":"Yg==","result":"GREATER","target":"CREATE","create_revision":"5"},"#
            + #"{"key":"Yw==","result":"EQUAL","target":"MOD","mod_revision":"9007199254740993"},"#
            + #"{"key":"ZA==","result":"NOT_EQUAL","target":"VALUE","value":"AP8="},"#
            + #"{"key":"ZQ==","result":"LESS","target":"MOD","mod_revision":"3"}],"#
            + #""success":[{"request_put":{"key":"YQ==","value":"eA=="}},{"request_delete_range":{"key":"Yg=="}}],"#
            + #""failure":[{"request_range":{"key":"YQ=="}}]}"#)
    }

    @Test func emptyBranchesAreLeftOut() {
        let request = EtcdCodec.request(EtcdTxn(compare: [], success: [], failure: []))
        #expect(request.body.text == #"{"compare":[]}"#)
    }

    @Test func watchCreation() {
        let plain = EtcdCodec.watchCreate(key: "k", rangeEnd: nil, startRevision: 0, previousKV: false, progressNotify: false)
        #expect(plain.path == "/v3/watch")
        #expect(plain.body.text == #"{"create_request":{"key":"aw=="}}"#)
        let full = EtcdCodec.watchCreate(key: "/t/", rangeEnd: "/t0", startRevision: 12, previousKV: true, progressNotify: true)
        #expect(full.body.text == #"{"create_request":{"key":"L3Qv","range_end":"L3Qw","start_revision":"12","progress_notify":true,"prev_kv":true}}"#)
    }

    @Test func leasesAndCompaction() {
        #expect(EtcdCodec.leaseGrant(ttl: 30) == ("/v3/lease/grant", Array(#"{"TTL":"30"}"#.utf8)))
        #expect(EtcdCodec.leaseKeepAlive(id: 2_324_035_885_013_651_482) == ("/v3/lease/keepalive", Array(#"{"ID":"2324035885013651482"}"#.utf8)))
        #expect(EtcdCodec.leaseRevoke(id: -1) == ("/v3/lease/revoke", Array(#"{"ID":"-1"}"#.utf8)))
        #expect(EtcdCodec.compaction(revision: 9, physical: true) == ("/v3/kv/compaction", Array(#"{"revision":"9","physical":true}"#.utf8)))
        #expect(EtcdCodec.compaction(revision: 9, physical: false).body.text == #"{"revision":"9"}"#)
    }

    @Test func nonASCIIKeysAndBinaryValuesAreBase64OfTheirBytes() {
        // "ключ/☃" in UTF-8, and every byte value once.
        let key = "ключ/☃"
        let value = (0...255).map { UInt8($0) }
        let body = EtcdCodec.request(.put(key: key, value: value, lease: 0)).body.text
        #expect(body == #"{"key":"0LrQu9GO0Ycv4piD","value":""# + Base64.encode(value) + #""}"#)
        #expect(Base64.decode("0LrQu9GO0Ycv4piD") == Array(key.utf8))
        #expect(Base64.decode(Base64.encode(value)) == value)
    }
}

/// Base64 as protobuf's JSON mapping writes and reads it.
@Suite struct Base64Tests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func urlSafeAndUnpaddedAreReadToo() {
        #expect(Base64.decode("-_8") == [0xfb, 0xff])
        #expect(Base64.decode("+/8=") == [0xfb, 0xff])
        #expect(Base64.decode("Zg") == Array("f".utf8))
    }

    @Test(arguments: ["Z", "Zg=", "Zg===", "Z=g=", "Zm9v!", "Zm 9v", "=Zm9"])
    func invalidInputIsRefused(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
