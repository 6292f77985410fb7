import Glibc
import Testing
import TurnoutEtcd
import TurnoutPosix
import TurnoutTestSupport

/// Endpoints that refuse, hang or break: failover, timeouts, and writes never sent twice.
@Suite struct EtcdFailoverTests {
    static func endpoint(_ port: UInt16) throws -> EtcdEndpoint { try EtcdEndpoint(url: "http://127.0.0.1:\(port)") }

    @Test(.enabled(if: EtcdCluster.testsRun, "\(EtcdCluster.notFound)"))
    func aRefusingEndpointListedFirstFailsOverToTheLiveOne() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        // Bound, not listening: connections are refused, and the port stays ours.
        let refusing = try WebhookReceiver(answer: .hang, listening: false)
        defer { refusing.stop() }
        let etcd = EtcdClient(endpoints: [try Self.endpoint(refusing.port), try EtcdEndpoint(url: cluster.clientURLs[0])], timeout: 5)

        try etcd.put("/f", value: Array("x".utf8))
        #expect(try etcd.range("/f").kvs.first?.value == Array("x".utf8))
        let watch = try etcd.watch(key: "/f", rangeEnd: nil, startRevision: 0)
        watch.cancel()

        // The endpoint that answered is tried first from now on: the first one, listening
        // now (and never answering), is not asked.
        refusing.listen()
        for _ in 0..<5 { try etcd.put("/f", value: Array("y".utf8)) }
        #expect(refusing.accepted == 0)
    }

    @Test func allEndpointsDownIsUnavailableNamingEachQuickly() throws {
        let first = try WebhookReceiver(answer: .hang, listening: false)
        let second = try WebhookReceiver(answer: .hang, listening: false)
        defer { first.stop(); second.stop() }
        let etcd = EtcdClient(endpoints: [try Self.endpoint(first.port), try Self.endpoint(second.port)], timeout: 5)
        let started = monotonicNanoseconds()
        #expect(throws: EtcdError.unavailable("etcd is unreachable at every endpoint (POST /v3/kv/put): "
            + "http://127.0.0.1:\(first.port) is unreachable: connection refused (ECONNREFUSED); "
            + "http://127.0.0.1:\(second.port) is unreachable: connection refused (ECONNREFUSED)")) {
            try etcd.put("/k", value: [1])
        }
        #expect(secondsSince(started) < 1)

        let single = EtcdClient(endpoints: [try Self.endpoint(first.port)])
        #expect(throws: EtcdError.unavailable("etcd at http://127.0.0.1:\(first.port) is unreachable: connection refused (ECONNREFUSED)")) {
            try single.range("/k")
        }
        #expect(throws: EtcdError.self) { try single.watch(key: "/k", rangeEnd: nil, startRevision: 0) }
        #expect(throws: EtcdError.unavailable("no etcd endpoints are configured")) { try EtcdClient(endpoints: []).range("/k") }
    }

    @Test func aListenerThatNeverAnswersTimesOut() throws {
        let silent = try WebhookReceiver(answer: .hang)
        defer { silent.stop() }
        let etcd = EtcdClient(endpoints: [try Self.endpoint(silent.port)], timeout: 0.5)
        for call in ["range", "put", "watch"] {
            let started = monotonicNanoseconds()
            do {
                switch call {
                case "range": _ = try etcd.range("/k")
                case "put": try etcd.put("/k", value: [1])
                default: _ = try etcd.watch(key: "/k", rangeEnd: nil, startRevision: 0)
                }
                Issue.record("\(call) returned without an answer")
            } catch .timeout(let text) {
                #expect(text.contains("http://127.0.0.1:\(silent.port)"), "\(text)")
                if call == "put" { #expect(text.contains("may or may not have been applied"), "\(text)") }
            } catch {
                Issue.record("\(call): expected .timeout, got \(error)")
            }
            let elapsed = secondsSince(started)
            #expect(elapsed >= 0.45 && elapsed < 1.5, "\(call) took \(elapsed) s with a 0.5 s timeout")
        }
    }

    @Test func aWriteWhoseAnswerNeverCameIsNotSentElsewhere() throws {
        // The first endpoint reads the request and closes without answering; the second records.
        let breaking = try WebhookReceiver(answer: .raw([]))
        let recording = try WebhookReceiver(answer: .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8)))
        defer { breaking.stop(); recording.stop() }
        let etcd = EtcdClient(endpoints: [try Self.endpoint(breaking.port), try Self.endpoint(recording.port)], timeout: 2)

        do {
            try etcd.put("/k", value: [1])
            Issue.record("the put succeeded without an answer")
        } catch .unavailable(let text) {
            #expect(text.contains("may or may not have been applied"), "\(text)")
        } catch {
            Issue.record("expected .unavailable, got \(error)")
        }
        #expect(breaking.requests.count == 1)
        #expect(recording.requests.isEmpty)

        // A read may be sent again: it goes on to the second endpoint.
        #expect(try etcd.range("/k").kvs.isEmpty)
        #expect(recording.requests.map(\.target) == ["/v3/kv/range"])
    }

    @Test func answersThatAreNotEtcdsAreMalformedNamingTheEndpoint() throws {
        let garbage = try WebhookReceiver(answer: .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)))
        let notFound = try WebhookReceiver(answer: .raw(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found".utf8)))
        defer { garbage.stop(); notFound.stop() }
        #expect(throws: EtcdError.malformed(#"etcd's range answer is not JSON: expected a value at byte 0, found 'h' (it begins "hello")"#)) {
            try EtcdClient(endpoints: [try Self.endpoint(garbage.port)]).range("/k")
        }
        #expect(throws: EtcdError.malformed(#"etcd's HTTP 404 answer is not an etcd error (it begins "Not Found"); is this etcd 3.4 or later, with its v3 JSON gateway? (etcd at http://127.0.0.1:\#(notFound.port), POST /v3/kv/range)"#)) {
            try EtcdClient(endpoints: [try Self.endpoint(notFound.port)]).range("/k")
        }
    }
}
