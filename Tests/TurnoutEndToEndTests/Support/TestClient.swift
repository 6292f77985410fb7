import Glibc
import TurnoutPosix

/// A blocking HTTP/1.1 client for tests: raw bytes out, parsed responses in. Every socket
/// operation has a timeout (SO_RCVTIMEO / SO_SNDTIMEO), so no test can hang on it.
final class TestClient {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var trailers: [(name: String, value: String)] = []

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // No close here: every stored property is set, so a throw runs deinit, which closes the
        // descriptor; closing it here too would close whatever another thread opened under its number.
        guard result == 0 else {
            throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Sends a request with the usual fields and reads its response.
    func request(_ method: String = "GET", _ path: String, headers: [String] = [], body: [UInt8]? = nil) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test.local\r\n"
        for header in headers { head += header + "\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let wire = Array(head.utf8) + (body ?? [])
        guard wire.count > Self.sendAheadLimit else {
            try send(wire)
            return try readResponse(method: method)
        }
        // A large body is sent from another thread while this one reads, as a real client does:
        // an echo answers while the body is still arriving.
        let sender = BackgroundSend(fd: fd, bytes: wire)
        let response = Result { try readResponse(method: method) }
        let sent = sender.join()
        let answer = try response.get()
        if let sent { throw Failure(description: sent) }
        return answer
    }

    /// Requests larger than this are sent concurrently with reading the response.
    static let sendAheadLimit = 64 * 1024

    /// Reads more bytes; false at end of file.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else { throw Failure(description: errno == EAGAIN ? "timed out waiting for the proxy" : "recv failed: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<index])
                buffer.removeSubrange(...index)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { throw Failure(description: "connection closed mid-line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw Failure(description: "connection closed after \(buffer.count) of \(count) body bytes") }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return bytes
    }

    /// Reads one response (skipping 1xx unless `keepInformational`).
    func readResponse(method: String = "GET", keepInformational: Bool = false) throws -> Response {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line \"\(statusLine)\"") }
            var headers: [(String, String)] = []
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header line \"\(line)\"") }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
            }
            var response = Response(status: status, headers: headers, body: [])
            if status < 200 {
                if keepInformational || status == 101 { return response }
                continue
            }
            if method == "HEAD" || status == 204 || status == 304 { return response }
            if response.header("transfer-encoding")?.lowercased() == "chunked" {
                while true {
                    let sizeLine = try readLine()
                    guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw Failure(description: "bad chunk size \"\(sizeLine)\"") }
                    if size == 0 { break }
                    response.body += try readExactly(size)
                    guard try readLine().isEmpty else { throw Failure(description: "missing CRLF after chunk") }
                }
                while true {
                    let line = try readLine()
                    if line.isEmpty { break }
                    if let colon = line.firstIndex(of: ":") {
                        response.trailers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
                    }
                }
            } else if let length = response.header("content-length").flatMap({ Int($0) }) {
                response.body = try readExactly(length)
            } else {
                while try fill() {}
                response.body = buffer
                buffer.removeAll()
            }
            return response
        }
    }

    /// True when the peer has closed the connection (reads end of file within the timeout),
    /// false when data arrives instead.
    func readsEndOfFile() throws -> Bool {
        if !buffer.isEmpty { return false }
        return try !fill()
    }

    /// Sets a shorter receive timeout (to check that nothing arrives).
    func setReceiveTimeout(milliseconds: Int) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// Sends bytes on a blocking socket from its own thread; `join` returns the error, if any.
final class BackgroundSend: @unchecked Sendable {
    private let thread: pthread_t

    init(fd: Int32, bytes: [UInt8]) {
        let box = FailureBox()
        self.box = box
        thread = LoopThread.start(name: "test-send") {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { box.message = "send failed after \(offset) bytes: errno \(errno)"; return }
                offset += n
            }
        }
    }

    private final class FailureBox: @unchecked Sendable { var message: String? }
    private let box: FailureBox

    func join() -> String? {
        LoopThread.join(thread)
        return box.message
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension TestClient {
    /// Whatever bytes are buffered or arrive next (for tunnels).
    func readChunk() throws -> [UInt8] {
        if !buffer.isEmpty {
            defer { buffer.removeAll() }
            return buffer
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure(description: "tunnel closed or timed out (errno \(errno))") }
        return Array(chunk[0..<n])
    }
}
