import Glibc
import Synchronization
import TurnoutPosix

/// An HTTP/1.1 upstream that keeps every request it receives (the raw head and the decoded
/// body), for tests that must see what the proxy sent, such as a shadow's copies. Each
/// connection runs on its own thread with blocking sockets; keep-alive, Content-Length and
/// chunked request bodies are understood. It answers `body` after `delayMilliseconds`, or
/// never when `silent` (it then holds the connection until the peer closes it).
final class RecordingUpstream: Sendable {
    /// One request as it arrived.
    struct Recorded: Sendable {
        /// The request head, request line to blank line included, as the bytes arrived.
        var head: String
        /// The body, chunk framing removed.
        var body: [UInt8]

        /// The request line. (Swift reads "\r\n" as one Character.)
        var requestLine: String { String(head.prefix { $0 != "\r\n" }) }

        /// The value of the first field called `name` (case-insensitive).
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return String(line[line.index(after: colon)...]).trimmingSpaces
                }
            }
            return nil
        }
    }

    /// The listener and its threads: each connection is served on its own.
    private let upstream: ScriptedUpstream
    private final class Store: Sendable {
        let requests = Mutex<[Recorded]>([])
        /// Requests cut off before their end (head or body), e.g. a copy the proxy abandoned.
        let partial = Atomic<Int>(0)
    }
    private let store = Store()

    init(delayMilliseconds: Int = 0, body: String = "recorded\n", silent: Bool = false) throws {
        let store = store
        // Bounded reads: a silent upstream waits for the proxy's own timeout to close.
        upstream = try ScriptedUpstream(readTimeoutSeconds: 10) { connection, _ in
            Self.serve(connection, store: store, delayMilliseconds: delayMilliseconds, body: body, silent: silent)
        }
    }

    var port: UInt16 { upstream.port }
    var address: String { upstream.address }
    var requests: [Recorded] { store.requests.withLock { $0 } }
    var partialRequests: Int { store.partial.load(ordering: .relaxed) }
    var acceptedConnections: Int { upstream.acceptedConnections }

    func stop() { upstream.stop() }

    /// Waits (bounded) until at least `count` requests have arrived; returns them.
    func waitForRequests(_ count: Int, seconds: Double = 5) -> [Recorded] {
        let deadline = monotonicSeconds() + seconds
        while monotonicSeconds() < deadline {
            let seen = requests
            if seen.count >= count { return seen }
            usleep(10_000)
        }
        return requests
    }

    private static func serve(_ connection: Int32, store: Store, delayMilliseconds: Int, body: String, silent: Bool) {
        var reader = Reader(fd: connection)
        while true {
            guard let head = reader.head() else {
                if !reader.buffer.isEmpty { store.partial.wrappingAdd(1, ordering: .relaxed) }
                return
            }
            let text = String(decoding: head, as: UTF8.self)
            let probe = Recorded(head: text, body: [])
            let decoded: [UInt8]?
            if probe.header("transfer-encoding")?.lowercased() == "chunked" {
                decoded = reader.chunkedBody()
            } else if let length = probe.header("content-length").flatMap({ Int($0) }) {
                decoded = reader.exactly(length)
            } else {
                decoded = []
            }
            guard let decoded else {
                store.partial.wrappingAdd(1, ordering: .relaxed)
                return
            }
            store.requests.withLock { $0.append(Recorded(head: text, body: decoded)) }
            if silent {
                // Never answer: read until the proxy gives up and closes (or the timeout).
                var byte: UInt8 = 0
                while recv(connection, &byte, 1, 0) == 1 {}
                return
            }
            if delayMilliseconds > 0 { usleep(UInt32(delayMilliseconds) * 1000) }
            ScriptedUpstream.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        }
    }

    /// Buffered blocking reads of one connection.
    private struct Reader {
        let fd: Int32
        var buffer: [UInt8] = []

        mutating func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return false }
            buffer += chunk[0..<n]
            return true
        }

        /// The next request head (through its blank line), or nil at end of input.
        mutating func head() -> [UInt8]? {
            while true {
                if let end = Self.find([13, 10, 13, 10], in: buffer) {
                    let head = Array(buffer[..<(end + 4)])
                    buffer.removeFirst(end + 4)
                    return head
                }
                guard fill() else { return nil }
            }
        }

        mutating func exactly(_ count: Int) -> [UInt8]? {
            while buffer.count < count { guard fill() else { return nil } }
            let bytes = Array(buffer[..<count])
            buffer.removeFirst(count)
            return bytes
        }

        mutating func line() -> [UInt8]? {
            while true {
                if let end = Self.find([13, 10], in: buffer) {
                    let line = Array(buffer[..<end])
                    buffer.removeFirst(end + 2)
                    return line
                }
                guard fill() else { return nil }
            }
        }

        /// A chunked body, decoded; trailers are read and dropped.
        mutating func chunkedBody() -> [UInt8]? {
            var body: [UInt8] = []
            while true {
                guard let sizeLine = line() else { return nil }
                let digits = String(decoding: sizeLine.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
                guard let size = Int(digits.trimmingSpaces, radix: 16) else { return nil }
                if size == 0 { break }
                guard let data = exactly(size), let end = line(), end.isEmpty else { return nil }
                body += data
            }
            while true {
                guard let trailer = line() else { return nil }
                if trailer.isEmpty { return body }
            }
        }

        static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
                return i
            }
            return nil
        }
    }
}
