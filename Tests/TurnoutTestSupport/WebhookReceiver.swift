import CTurnoutSys
import Glibc
import Synchronization
import TurnoutPosix

/// A webhook receiver for tests: a blocking listener on 127.0.0.1 (port 0) served by one
/// thread, which records every request and answers as told. It can start bound but not
/// listening, so connections are refused until `listen()`: a receiver that comes up late.
/// Every read has a timeout and the accept loop polls, so `stop()` always returns.
public final class WebhookReceiver: @unchecked Sendable {
    /// How requests are answered.
    public enum Answer: Sendable {
        /// `HTTP/1.1 <status>` with an empty body.
        case status(Int)
        /// These bytes, then close.
        case raw([UInt8])
        /// Read the request, never answer, keep the connection open.
        case hang
    }

    /// One request as received.
    public struct Request: Sendable {
        public var method: String
        public var target: String
        /// Field names lowercased; the last value wins.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    private struct State {
        var requests: [Request] = []
        var accepted = 0
        var listening = false
        var stopping = false
        var held: [Int32] = []
    }

    public let port: UInt16
    private let descriptor: Int32
    private let answer: Answer
    private let state = Mutex(State())
    private var thread: pthread_t?

    public init(answer: Answer, listening: Bool = true) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw ReceiverFailure(description: "bind failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
        if listening { self.listen() }
        thread = LoopThread.start(name: "test-receiver") { [self] in serve() }
    }

    /// Starts accepting: until now connections to `port` were refused.
    public func listen() {
        precondition(Glibc.listen(descriptor, 64) == 0, "listen failed: errno \(errno)")
        state.withLock { $0.listening = true }
    }

    /// Stops the thread, closes every connection and the listener.
    public func stop() {
        state.withLock { $0.stopping = true }
        if let thread { LoopThread.join(thread) }
        thread = nil
        for fd in state.withLock({ $0.held }) { close(fd) }
        close(descriptor)
    }

    public var requests: [Request] { state.withLock { $0.requests } }
    public var accepted: Int { state.withLock { $0.accepted } }

    private func serve() {
        while true {
            let (stopping, listening) = state.withLock { ($0.stopping, $0.listening) }
            if stopping { return }
            guard listening else { usleep(5_000); continue }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { continue }
            // Commands other tests spawn must not inherit it (they would hold it open).
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            state.withLock { $0.accepted += 1 }
            handle(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var request: Request?
        var chunk = [UInt8](repeating: 0, count: 4096)
        while request == nil {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
            request = Self.parse(bytes)
        }
        if let request { state.withLock { $0.requests.append(request) } }
        switch answer {
        case .status(let status):
            send(connection, Array("HTTP/1.1 \(status) Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        case .raw(let raw):
            send(connection, raw)
        case .hang:
            state.withLock { $0.held.append(connection) }
            return
        }
        close(connection)
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// A complete request (head and Content-Length body) from `bytes`, or nil when more is needed.
    static func parse(_ bytes: [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let start = lines[0].split(separator: " ")
        guard start.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: " ")
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        return Request(method: String(start[0]), target: String(start[1]), headers: headers, body: Array(bytes[(end + 4)..<(end + 4 + length)]))
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

/// Why a receiver could not be set up.
public struct ReceiverFailure: Error, CustomStringConvertible {
    public let description: String
}
