import Testing
@testable import TurnoutEtcd

/// Watch messages as etcd 3.4's gateway streams them.
@Suite struct EtcdCodecWatchTests {
    typealias F = GatewayFixtures

    @Test func created() throws {
        let message = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchCreated))
        #expect(message == EtcdWatchMessage(header: EtcdCodecDecodeTests.header(11), watchID: 0, created: true))
    }

    @Test func putsWithAndWithoutThePreviousValue() throws {
        let message = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchPuts))
        let v1 = EtcdKeyValue(key: "foo", value: Array("bar".utf8), createRevision: 2, modRevision: 2, version: 1)
        let v2 = EtcdKeyValue(key: "foo", value: Array("baz".utf8), createRevision: 2, modRevision: 3, version: 2)
        let v3 = EtcdKeyValue(key: "foo", value: Array("qux".utf8), createRevision: 2, modRevision: 7, version: 3)
        #expect(message.events == [
            EtcdWatchEvent(kind: .put, kv: v1, previous: nil),
            EtcdWatchEvent(kind: .put, kv: v2, previous: v1),
            EtcdWatchEvent(kind: .put, kv: v3, previous: v2),
        ])
        #expect(!message.created && !message.canceled && message.header.revision == 11)
    }

    @Test func aDeleteCarriesOnlyKeyAndRevisionAndThePreviousValue() throws {
        let message = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchDelete))
        #expect(message.events == [EtcdWatchEvent(
            kind: .delete, kv: EtcdKeyValue(key: "foo", modRevision: 12),
            previous: EtcdKeyValue(key: "foo", value: Array("qux".utf8), createRevision: 2, modRevision: 7, version: 3))])
    }

    @Test func aProgressNotificationHasNoEvents() throws {
        let message = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchProgress))
        #expect(message == EtcdWatchMessage(header: EtcdCodecDecodeTests.header(13), watchID: -1))
    }

    @Test func canceledMessagesAreMessagesToTheCodec() throws {
        let compacted = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchCompacted))
        #expect(compacted.canceled && compacted.compactRevision == 9 && compacted.header.revision == 0)
        let canceled = try EtcdCodec.decodeWatchMessage(F.bytes(F.watchCanceledByRequest))
        #expect(canceled.canceled && canceled.watchID == 7 && canceled.compactRevision == 0 && canceled.cancelReason == nil)
        let reasoned = try EtcdCodec.decodeWatchMessage(Array(#"{"result":{"canceled":true,"cancel_reason":"permission denied"}}"#.utf8))
        #expect(reasoned.cancelReason == "permission denied")
    }

    @Test func anErrorObjectInTheStreamIsThrown() {
        #expect(throws: EtcdError.server(code: 14, message: "etcdserver: no leader")) {
            try EtcdCodec.decodeWatchMessage(F.bytes(F.watchStreamError))
        }
        #expect(throws: EtcdError.server(code: 13, message: "boom")) {
            try EtcdCodec.decodeWatchMessage(Array(#"{"error":"boom","code":13}"#.utf8))
        }
    }

    @Test(arguments: [
        (#"{"result":{"events":[{"type":"MOVE","kv":{"key":"YQ=="}}]}}"#,
         #"etcd's watch message has result.events[0].type = the string "MOVE", expected "PUT" or "DELETE""#),
        (#"{"result":{"events":[{"type":"PUT"}]}}"#, "etcd's watch message has result.events[0] without a kv"),
        (#"{"result":{"created":"yes"}}"#, #"etcd's watch message has result.created = the string "yes", expected true or false"#),
        (#"{"result":{"watch_id":"x"}}"#, #"etcd's watch message has result.watch_id = the string "x", expected an int64 (a string of digits or a number)"#),
        (#"{"other":1}"#, #"etcd's watch message has neither "result" nor "error" (it begins "{"other":1}")"#),
    ])
    func malformedMessagesNameTheirField(json: String, message: String) {
        #expect(throws: EtcdError.malformed(message)) { try EtcdCodec.decodeWatchMessage(Array(json.utf8)) }
    }
}
