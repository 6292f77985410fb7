import Testing
@testable import TurnoutEtcd

/// Real gateway answers decode to the values they mean, defaults included.
@Suite struct EtcdCodecDecodeTests {
    typealias F = GatewayFixtures
    static let header3 = EtcdHeader(revision: 3, clusterID: 324_952_591_200_643_719, memberID: 3_319_814_642_761_637_952, raftTerm: 2)

    static func header(_ revision: Int64) -> EtcdHeader {
        EtcdHeader(revision: revision, clusterID: 324_952_591_200_643_719, memberID: 3_319_814_642_761_637_952, raftTerm: 2)
    }

    @Test func aRangeOfOneKey() throws {
        let range = try EtcdCodec.decodeRange(F.bytes(F.rangeOne))
        #expect(range == EtcdRangeResponse(header: Self.header3, kvs: [
            EtcdKeyValue(key: "foo", value: Array("baz".utf8), createRevision: 2, modRevision: 3, version: 2, lease: 0),
        ], more: false, count: 1))
    }

    @Test func anEmptyRangeHasNoKvsAndNoCount() throws {
        #expect(try EtcdCodec.decodeRange(F.bytes(F.rangeNone)) == EtcdRangeResponse(header: Self.header3, kvs: [], more: false, count: 0))
    }

    @Test func aLimitedRangeSaysThereIsMore() throws {
        let range = try EtcdCodec.decodeRange(F.bytes(F.rangeLimited))
        #expect(range.more && range.count == 2 && range.kvs.map(\.key) == ["foo"])
    }

    @Test func anEmptyValueIsLeftOutAndABinaryValueSurvives() throws {
        let range = try EtcdCodec.decodeRange(F.bytes(F.rangePrefix))
        #expect(range.kvs.map(\.key) == ["foo", "foo1", "fop"])
        #expect(range.kvs.map(\.value) == [Array("baz".utf8), [0x00, 0xff], []])
        #expect(range.kvs[2] == EtcdKeyValue(key: "fop", value: [], createRevision: 4, modRevision: 4, version: 1, lease: 0))
    }

    @Test func aLeaseIdTooLargeForADoubleIsExact() throws {
        let range = try EtcdCodec.decodeRange(F.bytes(F.rangeLeased))
        #expect(range.kvs.first?.lease == 2_324_035_885_013_651_482)
    }

    @Test func int64sAreReadFromNumbersToo() throws {
        let range = try EtcdCodec.decodeRange(Array(#"{"header":{"revision":9007199254740993},"kvs":[{"key":"YQ==","mod_revision":-1,"version":null}],"count":1}"#.utf8))
        #expect(range.header.revision == 9_007_199_254_740_993)
        #expect(range.kvs == [EtcdKeyValue(key: "a", modRevision: -1)])
        #expect(range.count == 1)
    }

    @Test func putAndDelete() throws {
        #expect(try EtcdCodec.decodePut(F.bytes(F.put)) == Self.header(2))
        let deleted = try EtcdCodec.decodeDeleteRange(F.bytes(F.deleteOne))
        #expect(deleted.header == Self.header(6) && deleted.deleted == 1)
        #expect(try EtcdCodec.decodeDeleteRange(F.bytes(F.deleteNone)).deleted == 0)
        #expect(try EtcdCodec.decodeCompaction(F.bytes(F.compaction)).revision == 13)
    }

    @Test func aTransactionThatSucceeded() throws {
        let ops: [EtcdOp] = [.put(key: "foo", value: Array("qux".utf8), lease: 0)]
        let txn = try EtcdCodec.decodeTxn(F.bytes(F.txnSucceeded), ops: ops)
        #expect(txn == EtcdTxnResponse(header: Self.header(7), succeeded: true, responses: [.put(EtcdHeader(revision: 7))]))
        #expect(try EtcdCodec.decodeTxn(F.bytes(F.txnSucceeded), ops: []) == txn)
    }

    @Test func aTransactionThatFailedAnswersItsFailureBranch() throws {
        let failure: [EtcdOp] = [.range(key: "foo", rangeEnd: nil, limit: 0, revision: 0), .deleteRange(key: "none", rangeEnd: nil),
                                 .put(key: "x", value: Array("y".utf8), lease: 0)]
        let whole = EtcdTxn(compare: [EtcdCompare(key: "foo", .equal, .modRevision(3))],
                            success: [.put(key: "foo", value: Array("qux".utf8), lease: 0)], failure: failure)
        let txn = try EtcdCodec.decodeTxn(F.bytes(F.txnFailed), txn: whole)
        #expect(!txn.succeeded)
        #expect(txn.responses == [
            .range(EtcdRangeResponse(header: EtcdHeader(revision: 7), kvs: [
                EtcdKeyValue(key: "foo", value: Array("qux".utf8), createRevision: 2, modRevision: 7, version: 3)], count: 1)),
            .deleteRange(deleted: 0),
            .put(EtcdHeader(revision: 8)),
        ])
        #expect(try EtcdCodec.decodeTxn(F.bytes(F.txnDeleted), ops: []).responses == [.deleteRange(deleted: 1)])
        #expect(try EtcdCodec.decodeTxn(F.bytes(F.txnEmpty), ops: []) == EtcdTxnResponse(header: Self.header(8), succeeded: false, responses: []))
    }

    @Test func aTransactionAnswerThatDoesNotFitItsBranchIsMalformed() throws {
        let ops: [EtcdOp] = [.range(key: "a", rangeEnd: nil, limit: 0, revision: 0)]
        #expect(throws: EtcdError.malformed("etcd's transaction answer has responses[0] as response_put for a range op")) {
            try EtcdCodec.decodeTxn(F.bytes(F.txnSucceeded), ops: ops)
        }
        #expect(throws: EtcdError.malformed("etcd's transaction answer has 1 responses for a branch of 2 ops")) {
            try EtcdCodec.decodeTxn(F.bytes(F.txnSucceeded), ops: ops + ops)
        }
        // An inner answer naming no kind takes its op's; without ops it cannot be read.
        let bare = Array(#"{"succeeded":true,"responses":[{}]}"#.utf8)
        #expect(try EtcdCodec.decodeTxn(bare, ops: [.deleteRange(key: "a", rangeEnd: nil)]).responses == [.deleteRange(deleted: 0)])
        #expect(throws: EtcdError.malformed("etcd's transaction answer has responses[0] naming no kind of response")) {
            try EtcdCodec.decodeTxn(bare, ops: [])
        }
    }

    @Test func leases() throws {
        #expect(try EtcdCodec.decodeLeaseGrant(F.bytes(F.leaseGrant)) == (2_324_035_885_013_651_478, 30))
        #expect(try EtcdCodec.decodeLeaseKeepAlive(F.bytes(F.keepAliveAlive)) == 30)
        #expect(try EtcdCodec.decodeLeaseKeepAlive(F.bytes(F.keepAliveGone)) == 0)
        #expect(try EtcdCodec.decodeLeaseRevoke(F.bytes(F.put)) == Self.header(2))
        #expect(throws: EtcdError.server(code: 2, message: "etcdserver: too many leases")) {
            try EtcdCodec.decodeLeaseGrant(Array(#"{"header":{},"error":"etcdserver: too many leases"}"#.utf8))
        }
        #expect(throws: EtcdError.server(code: 14, message: "etcdserver: no leader")) {
            try EtcdCodec.decodeLeaseKeepAlive(F.bytes(F.watchStreamError + "\n"))
        }
    }
}
