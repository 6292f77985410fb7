import Glibc
import TurnoutPosix

/// One HTTP/1.1 connection to one etcd member, used from the calling thread: a non-blocking
/// socket driven by poll(2) against the call's deadline, so connect, send and every read are
/// bounded. It owns its socket (closed exactly once by `Socket`); between calls it waits in the
/// client's idle slot.
///
/// `@unchecked Sendable`: it moves between threads (into the idle slot and out to the next
/// caller), which is safe because it is not copyable, so one thread at a time holds it.
struct EtcdConnection: ~Copyable, @unchecked Sendable {
    let endpoint: EtcdEndpoint
    private var socket: Socket

    /// What went wrong, and so whether anything can have reached etcd.
    enum Failure: Error {
        /// Connecting failed: nothing was sent.
        case connect(Errno)
        /// The connection was not accepted before the deadline: nothing was sent.
        case connectTimeout
        /// Writing the request failed before all of it was out: etcd cannot act on part of a
        /// request (its body is framed by Content-Length), so nothing took effect.
        case send(Errno)
        /// The request did not fit out before the deadline; as for `send`, nothing took effect.
        case sendTimeout
        /// The request was sent, then the connection closed or broke before a complete answer;
        /// `answered` says whether any byte of the answer had arrived.
        case broken(String, answered: Bool)
        /// The request was sent and the answer did not complete before the deadline.
        case answerTimeout
        /// The bytes that came back are not an HTTP answer Turnout reads.
        case malformed(String)
    }

    /// Connects to `endpoint`, waiting at most until `deadline`.
    static func open(to endpoint: EtcdEndpoint, until deadline: Deadline) throws(Failure) -> EtcdConnection {
        guard let address = endpoint.socketAddress else { throw .connect(Errno(rawValue: EINVAL)) }
        let socket: Socket
        do {
            socket = try Socket.connect(to: address)
        } catch {
            throw .connect(error)
        }
        let connection = EtcdConnection(endpoint: endpoint, socket: socket)
        guard waitUntilReady(connection.socket.descriptor, for: Int16(POLLOUT), until: deadline) else { throw .connectTimeout }
        if let error = connection.socket.pendingError() { throw .connect(error) }
        return connection
    }

    private init(endpoint: EtcdEndpoint, socket: consuming Socket) {
        self.endpoint = endpoint
        self.socket = socket
    }

    /// The descriptor, for `shutdown` from another thread while this one reads (the watch).
    var descriptor: Int32 { socket.descriptor }

    /// shutdown(2) of both directions: a thread blocked reading this socket wakes up at once
    /// to an end of file. The descriptor stays open (and owned here) until the owner drops it.
    static func shutdown(descriptor: Int32) {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Whether an idle connection can no longer carry a request: readable means etcd closed it
    /// (end of file) or sent something unasked; an error or hang-up means it is gone. Checked
    /// before reuse, so the usual stale connection (closed by etcd or by a restart while idle)
    /// is caught before anything is sent on it.
    var isStale: Bool {
        var entry = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&entry, 1, 0)
        return result != 0
    }

    /// The request's bytes: `POST path` with a JSON body of known length.
    static func request(path: String, body: [UInt8], endpoint: EtcdEndpoint) -> [UInt8] {
        var bytes = Array("POST \(path) HTTP/1.1\r\nHost: \(endpoint.authority)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Writes all of `bytes`, waiting for room until `deadline`.
    func send(_ bytes: [UInt8], until deadline: Deadline) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { socket.write($0.baseAddress! + written, count: $0.count - written) }
            switch result {
            case .bytes(let n):
                written += n
            case .wouldBlock:
                guard waitUntilReady(socket.descriptor, for: Int16(POLLOUT), until: deadline) else { throw .sendTimeout }
            case .endOfFile:
                throw .send(.brokenPipe)
            case .failed(let error):
                throw .send(error)
            }
        }
    }

    /// Reads into `decoder` until its answer is complete, the deadline passes, or the connection
    /// ends. Returns the bytes read past the answer's end (none, from a well-behaved server).
    func receive(into decoder: inout HTTPAnswerDecoder, until deadline: Deadline) throws(Failure) -> Int {
        var answered = false
        return try withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 1) { (scratch) throws(Failure) -> Int in
            while true {
                let result = socket.read(into: scratch.baseAddress!, count: scratch.count)
                switch result {
                case .bytes(let n):
                    answered = true
                    let step: HTTPAnswerDecoder.Step
                    do throws(HTTPAnswerDecoder.Failure) {
                        step = try decoder.consume(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    } catch {
                        throw .malformed(error.message)
                    }
                    if case .complete(let leftover) = step { return leftover }
                case .wouldBlock:
                    guard waitUntilReady(socket.descriptor, for: Int16(POLLIN), until: deadline) else { throw .answerTimeout }
                case .endOfFile:
                    do throws(HTTPAnswerDecoder.Failure) {
                        try decoder.endOfFile()
                    } catch {
                        throw .broken(error.message, answered: answered)
                    }
                    return 0
                case .failed(let error):
                    throw .broken("the connection failed: \(error.words)", answered: answered)
                }
            }
        }
    }

    /// One read of whatever is on `descriptor` (the watch's connection, which its `EtcdWatch`
    /// keeps open meanwhile): the count, 0 at end of file, nil when nothing came before `deadline`.
    static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, until deadline: Deadline) throws(Failure) -> Int? {
        while true {
            let result = Socket.classify(retryingInterrupts { Glibc.recv(descriptor, buffer.baseAddress!, buffer.count, 0) }, zeroIsEOF: true)
            switch result {
            case .bytes(let n): return n
            case .endOfFile: return 0
            case .failed(let error): throw .broken("the connection failed: \(error.words)", answered: true)
            case .wouldBlock:
                guard waitUntilReady(descriptor, for: Int16(POLLIN), until: deadline) else { return nil }
            }
        }
    }
}

extension EtcdConnection.Failure {
    /// What happened, in words for an error message.
    var reason: String {
        switch self {
        case .connect(let errno): return "cannot connect: \(errno.words)"
        case .connectTimeout: return "did not accept a connection in time"
        case .send(let errno): return "sending failed: \(errno.words)"
        case .sendTimeout: return "the request could not be sent in time"
        case .broken(let reason, _): return reason
        case .answerTimeout: return "no answer in time"
        case .malformed(let reason): return "an answer Turnout cannot read: \(reason)"
        }
    }
}

extension Errno {
    /// "connection refused (ECONNREFUSED)": the words first, for a person; the name to search for.
    var words: String {
        let name = description.prefix { $0 != " " }
        return "\(String(cString: strerror(rawValue)).lowercased()) (\(name))"
    }
}
