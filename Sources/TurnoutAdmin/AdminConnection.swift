import TurnoutHTTP
import TurnoutPosix

/// One admin client connection: reads a request with Turnout's own HTTP/1.1 parser, checks the
/// token, hands the request to the API and writes the answer; keep-alive like any HTTP server.
/// Bounded: a head of at most 32 KiB, a body of at most 1 MiB, 30 s of silence.
final class AdminConnection: TimerNode, EventHandler {
    private var socket: Socket
    private var registration: Registration?
    private unowned let server: AdminServer
    private let caller: AdminCaller
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var written = 0
    private var parser = RequestHeadParser(limits: HTTPLimits())
    private var head = RequestHead()
    private var headParsed = false
    private var closeAfterWrite = false
    private var closed = false

    static let maxBodyBytes = 1 << 20
    static let idleNanoseconds: UInt64 = 30_000_000_000

    init(socket: consuming Socket, caller: AdminCaller, server: AdminServer) {
        self.socket = socket
        self.caller = caller
        self.server = server
        super.init()
    }

    func register() throws(Errno) {
        registration = try server.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        server.loop.timers.schedule(self, at: server.loop.now &+ Self.idleNanoseconds)
    }

    override func timerExpired(now: UInt64) { close() }

    func handleEvents(_ events: UInt32) {
        guard !closed else { return }
        if events & EpollEvents.writable != 0 {
            flush()
            serveBuffered()
        }
        if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { readAvailable() }
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while !closed {
            let result = chunk.withUnsafeMutableBytes { socket.read(into: $0.baseAddress!, count: $0.count) }
            switch result {
            case .bytes(let n):
                input += chunk[0..<n]
                server.loop.timers.schedule(self, at: server.loop.now &+ Self.idleNanoseconds)
                if input.count > HTTPLimits().maxHeadBytes + Self.maxBodyBytes {
                    answer(.error(413, "the admin request is larger than 1 MiB"), close: true)
                    return
                }
                serveBuffered()
            case .wouldBlock:
                return
            case .endOfFile, .failed:
                // A client that half-closes after its request still gets the answer.
                if output.count == written { close() } else { closeAfterWrite = true }
                return
            }
        }
    }

    /// Serves every complete request in `input`, in order, while the previous answer is out.
    private func serveBuffered() {
        while !closed && output.count == written && !closeAfterWrite {
            if !headParsed {
                let result = input.withUnsafeBytes { parser.parse($0, into: &head) }
                switch result {
                case .needMore: return
                case .failed(let error):
                    answer(.error(error.status, "malformed admin request: \(error.message)"), close: true)
                    return
                case .complete: headParsed = true
                }
            }
            let bodyLength: Int
            switch head.framing {
            case .none: bodyLength = 0
            case .contentLength(let length):
                guard length <= Self.maxBodyBytes else {
                    answer(.error(413, "the admin request body is larger than 1 MiB"), close: true)
                    return
                }
                bodyLength = Int(length)
            case .chunked:
                answer(.error(411, "send the admin request body with a Content-Length"), close: true)
                return
            }
            guard input.count >= head.headLength + bodyLength else { return }
            let response = input.withUnsafeBytes { raw in respond(to: raw, bodyLength: bodyLength) }
            let keepAlive = head.keepAlive
            input.removeFirst(head.headLength + bodyLength)
            headParsed = false
            parser.reset()
            answer(response, close: !keepAlive)
        }
    }

    private func respond(to raw: UnsafeRawBufferPointer, bodyLength: Int) -> AdminResponse {
        let method = String(decoding: UnsafeRawBufferPointer(rebasing: raw[head.methodBytes]), as: UTF8.self)
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: raw[head.path]), as: UTF8.self)
        // `GET /` is the dashboard's page, the same bytes for everyone and no data: a browser
        // cannot send a bearer token when it opens a URL, so the page is served without one and
        // asks for it; every call it makes needs the token like any other.
        if let token = server.token, !(method == "GET" && path == "/") {
            guard let range = head.field("authorization", in: raw) else {
                return .error(401, "this admin API needs Authorization: Bearer <token> (the token is in admin.token_file)")
            }
            guard token.accepts(authorization: UnsafeRawBufferPointer(rebasing: raw[range])) else {
                return .error(403, "the bearer token is wrong")
            }
        }
        let query = head.query.map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), as: UTF8.self) } ?? ""
        let body = Array(raw[head.headLength..<head.headLength + bodyLength])
        return server.handler(AdminRequest(method: method, path: path, query: query, body: body, caller: caller))
    }

    private func answer(_ response: AdminResponse, close: Bool) {
        var text = "HTTP/1.1 \(response.status) \(CannedResponse.reasonPhrase(response.status))\r\n"
        text += "Content-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
        text += "Cache-Control: no-store\r\n"
        if close { text += "Connection: close\r\n" }
        text += "\r\n"
        output = Array(text.utf8) + response.body
        written = 0
        closeAfterWrite = close
        flush()
    }

    private func flush() {
        while written < output.count {
            let result = output.withUnsafeBytes { raw in
                socket.write(raw.baseAddress! + written, count: raw.count - written)
            }
            switch result {
            case .bytes(let n): written += n
            case .wouldBlock: return
            case .endOfFile, .failed: close(); return
            }
        }
        output.removeAll(keepingCapacity: true)
        written = 0
        // Pipelined requests already read are served by serveBuffered's loop, not from here, so
        // the stack does not grow with the pipeline.
        if closeAfterWrite { close() }
    }

    func close() {
        guard !closed else { return }
        closed = true
        server.loop.timers.remove(self)
        if let registration { server.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
        server.connectionClosed(self)
    }
}
