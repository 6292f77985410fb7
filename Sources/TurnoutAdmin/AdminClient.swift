import Glibc
import TurnoutHTTP
import TurnoutPosix

/// Where an admin client connects: the Unix socket or a TCP address.
public enum AdminEndpoint: Sendable, CustomStringConvertible {
    case unix(path: String)
    case tcp(SocketAddress)

    public var description: String {
        switch self {
        case .unix(let path): return path
        case .tcp(let address): return "http://\(address)"
        }
    }
}

/// A blocking admin client, for `turnout ctl` and the tests: one request per connection, every
/// wait bounded by `timeout`.
public struct AdminClient: Sendable {
    public let endpoint: AdminEndpoint
    public let token: BearerToken?
    public let timeout: Double

    public init(endpoint: AdminEndpoint, token: BearerToken? = nil, timeout: Double = 10) {
        self.endpoint = endpoint
        self.token = token
        self.timeout = timeout
    }

    /// Sends one request and returns the status and body. Throws when the admin API cannot be
    /// reached or answers with something that is not HTTP.
    public func send(_ method: String, _ path: String, body: String? = nil) throws(AdminError) -> (status: Int, body: String) {
        try Self.parse(exchange(method, path, body: body.map { Array($0.utf8) }), method: method, from: endpoint)
    }

    /// Sends one request (`target`: path and query) and returns the whole answer's bytes, head
    /// included, read to the end of the connection; `send` and the dashboard's relay use it.
    public func exchange(_ method: String, _ target: String, body: [UInt8]?) throws(AdminError) -> [UInt8] {
        let path = target
        let address: SocketAddress
        switch endpoint {
        case .unix(let path):
            guard let unix = SocketAddress(unixPath: path) else { throw AdminError("\(path) is too long for a Unix socket path") }
            address = unix
        case .tcp(let tcp):
            address = tcp
        }
        let fd = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AdminError("cannot create a socket: \(Errno.current)") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
            let error = Errno.current
            switch error.rawValue {
            case ENOENT: throw AdminError("no admin socket at \(endpoint) (is turnout running? see admin.socket in the config, or pass --socket)")
            case ECONNREFUSED: throw AdminError("nothing is listening at \(endpoint) (is turnout running?)")
            case EACCES: throw AdminError("permission denied on \(endpoint): the admin socket is mode 0600, so run ctl as the user that runs turnout")
            default: throw AdminError("cannot connect to \(endpoint): \(error)")
            }
        }
        let payload = body ?? []
        var head = "\(method) \(path) HTTP/1.1\r\nHost: turnout\r\nConnection: close\r\n"
        if let token { head += "Authorization: \(token.authorizationValue)\r\n" }
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + payload
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw AdminError("sending to \(endpoint) failed: \(Errno.current)") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while received.count < 64 << 20 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw AdminError("\(endpoint) did not answer within \(timeout) s")
            }
            guard n >= 0 else { throw AdminError("reading from \(endpoint) failed: \(Errno.current)") }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        return received
    }

    /// Splits a whole response (read to end of file) into status and body.
    static func parse(_ bytes: [UInt8], method: String, from endpoint: AdminEndpoint) throws(AdminError) -> (status: Int, body: String) {
        var parser = ResponseHeadParser(limits: HTTPLimits())
        var head = ResponseHead()
        let result = bytes.withUnsafeBytes { parser.parse($0, requestMethod: method == "HEAD" ? .head : .get, into: &head) }
        guard case .complete = result else {
            throw AdminError(bytes.isEmpty ? "\(endpoint) closed the connection without answering"
                                           : "\(endpoint) did not answer with a valid HTTP response")
        }
        var body = bytes[head.headLength...]
        if case .contentLength(let length) = head.framing {
            guard body.count >= length else { throw AdminError("\(endpoint) cut its answer short") }
            body = body.prefix(Int(length))
        }
        return (head.status, String(decoding: body, as: UTF8.self))
    }
}
