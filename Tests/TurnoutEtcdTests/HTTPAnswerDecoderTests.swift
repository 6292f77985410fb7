import Testing
@testable import TurnoutEtcd

/// Answers read from bytes cut anywhere: Content-Length, chunked with trailers, interim heads.
@Suite struct HTTPAnswerDecoderTests {
    typealias F = GatewayFixtures

    /// Feeds `pieces` until the answer completes; returns status, body, keep-alive and leftover.
    static func decode(_ pieces: [[UInt8]], maxBodyBytes: Int = 1 << 20) throws -> (status: Int?, body: [UInt8], keepAlive: Bool, leftover: Int)? {
        var decoder = HTTPAnswerDecoder(maxBodyBytes: maxBodyBytes)
        for (index, piece) in pieces.enumerated() {
            let step = try piece.withUnsafeBytes { try decoder.consume($0) }
            if case .complete(let leftover) = step {
                let rest = pieces[(index + 1)...].reduce(0) { $0 + $1.count }
                return (decoder.status, decoder.body, decoder.keepAlive, leftover + rest)
            }
        }
        return nil
    }

    @Test func aContentLengthAnswer() throws {
        try forEverySplit(of: F.bytes(F.putAnswerBytes)) { pieces in
            let answer = try #require(try Self.decode(pieces))
            #expect(answer.status == 200 && answer.keepAlive && answer.leftover == 0)
            #expect(answer.body.text == F.put)
        }
    }

    @Test func aChunkedErrorWithATrailer() throws {
        try forEverySplit(of: F.bytes(F.errorAnswerBytes)) { pieces in
            let answer = try #require(try Self.decode(pieces))
            #expect(answer.status == 400 && answer.keepAlive && answer.leftover == 0)
            #expect(answer.body.text == F.errorFutureRevision)
        }
    }

    @Test func aStreamedKeepAliveEndsWithItsLastChunk() throws {
        try forEverySplit(of: F.bytes(F.keepAliveAnswerBytes)) { pieces in
            let answer = try #require(try Self.decode(pieces))
            #expect(answer.status == 200 && answer.leftover == 0)
            #expect(try EtcdCodec.decodeLeaseKeepAlive(answer.body) == 0)
        }
    }

    @Test func interimAnswersAreSkippedAndExtraBytesCounted() throws {
        let bytes = F.bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}XY")
        try forEverySplit(of: bytes) { pieces in
            let answer = try #require(try Self.decode(pieces))
            #expect(answer.status == 200 && answer.body.text == "{}" && answer.leftover == 2)
        }
    }

    @Test func aCloseDelimitedBodyEndsAtEndOfFile() throws {
        var decoder = HTTPAnswerDecoder()
        let bytes = F.bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"a\":1}")
        #expect(try bytes.withUnsafeBytes { try decoder.consume($0) } == .needMore)
        try decoder.endOfFile()
        #expect(decoder.isComplete && !decoder.keepAlive && decoder.body.text == #"{"a":1}"#)
    }

    @Test func cutShortAnswersAndGarbageAreErrors() throws {
        var truncated = HTTPAnswerDecoder()
        _ = try F.bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}").withUnsafeBytes { try truncated.consume($0) }
        #expect(throws: HTTPAnswerDecoder.Failure(message: "the connection closed in the middle of the answer's body")) { try truncated.endOfFile() }
        var empty = HTTPAnswerDecoder()
        #expect(throws: HTTPAnswerDecoder.Failure(message: "the connection closed before any answer")) { try empty.endOfFile() }
        var garbage = HTTPAnswerDecoder()
        #expect(throws: HTTPAnswerDecoder.Failure.self) { try F.bytes("SSH-2.0-OpenSSH\r\n\r\n").withUnsafeBytes { try garbage.consume($0) } }
        var badChunk = HTTPAnswerDecoder()
        #expect(throws: HTTPAnswerDecoder.Failure.self) {
            try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").withUnsafeBytes { try badChunk.consume($0) }
        }
    }

    @Test func anAnswerLargerThanTheBoundIsRefused() throws {
        var declared = HTTPAnswerDecoder(maxBodyBytes: 16)
        #expect(throws: HTTPAnswerDecoder.Failure(message: "its body is larger than the 0 MiB Turnout accepts")) {
            try F.bytes("HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n").withUnsafeBytes { try declared.consume($0) }
        }
        var chunked = HTTPAnswerDecoder(maxBodyBytes: 16)
        #expect(throws: HTTPAnswerDecoder.Failure.self) {
            try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" + String(repeating: "x", count: 17) + "\r\n").withUnsafeBytes { try chunked.consume($0) }
        }
    }
}

/// The watch connection's bytes turned into messages.
@Suite struct WatchStreamTests {
    typealias F = GatewayFixtures
    static let endpoint = try! EtcdEndpoint(url: "http://127.0.0.1:2379")

    @Test func messagesComeOutWhereverTheStreamIsCut() throws {
        try forEverySplit(of: F.bytes(F.watchStreamBytes)) { pieces in
            var stream = WatchStream(endpoint: Self.endpoint)
            var messages: [EtcdWatchMessage] = []
            for piece in pieces {
                try piece.withUnsafeBytes { try stream.feed($0) }
                while let message = try stream.next() { messages.append(message) }
            }
            #expect(messages.map(\.created) == [true, false, false])
            #expect(messages.map { $0.events.map(\.kind) } == [[], [.delete], [.put]])
            #expect(messages.map(\.header.revision) == [11, 12, 13])
        }
    }

    @Test func aCompactionCancelIsThrownAsCompacted() throws {
        var stream = WatchStream(endpoint: Self.endpoint)
        let body = F.watchCreated + "\n" + F.watchCompacted + "\n"
        let bytes = F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n")
        try bytes.withUnsafeBytes { try stream.feed($0) }
        #expect(try stream.next()?.created == true)
        #expect(throws: EtcdError.compacted(revision: 9)) { try stream.next() }
    }

    @Test func otherCancelsAndStreamErrorsAreThrown() throws {
        var canceled = WatchStream(endpoint: Self.endpoint)
        let body = F.watchCanceledByRequest + "\n"
        try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n").withUnsafeBytes { try canceled.feed($0) }
        #expect(throws: EtcdError.server(code: 1, message: "etcd canceled the watch")) { try canceled.next() }

        var failed = WatchStream(endpoint: Self.endpoint)
        let error = F.watchStreamError + "\n"
        try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(error.utf8.count, radix: 16))\r\n\(error)\r\n").withUnsafeBytes { try failed.feed($0) }
        #expect(throws: EtcdError.server(code: 14, message: "etcdserver: no leader")) { try failed.next() }
    }

    @Test func aRefusedWatchIsEtcdsError() throws {
        var stream = WatchStream(endpoint: Self.endpoint)
        let body = #"{"error":"invalid character 'g' looking for beginning of value","message":"invalid character 'g' looking for beginning of value","code":2}"#
        #expect(throws: EtcdError.server(code: 2, message: "invalid character 'g' looking for beginning of value")) {
            try F.bytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)").withUnsafeBytes { try stream.feed($0) }
        }
    }

    @Test func theStreamsEndIsThrownAfterWhatCameBeforeIt() throws {
        var stream = WatchStream(endpoint: Self.endpoint)
        let body = F.watchCreated + "\n"
        try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n").withUnsafeBytes { try stream.feed($0) }
        #expect(try stream.next()?.created == true)
        #expect(throws: EtcdError.unavailable("etcd at http://127.0.0.1:2379 ended the watch stream")) { try stream.next() }

        var closed = WatchStream(endpoint: Self.endpoint)
        try F.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").withUnsafeBytes { try closed.feed($0) }
        #expect(try closed.next() == nil)
        try closed.endOfFile()
        #expect(throws: EtcdError.unavailable("etcd at http://127.0.0.1:2379 closed the watch connection")) { try closed.next() }
    }
}
