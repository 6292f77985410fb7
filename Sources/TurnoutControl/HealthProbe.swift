import TurnoutConfig
import TurnoutHTTP
import TurnoutPosix

/// Active health checks of one server (SPEC §4), HAProxy-style: every `interval_ms` a fresh
/// connection sends `GET health.path`; a 2xx or 3xx within `timeout_ms` passes. `fall` failures
/// in a row take an up server down, `rise` passes in a row bring a down one back. Servers start
/// up, so a restart does not refuse traffic while the first checks run.
final class HealthProbe: TimerNode, EventHandler {
    let pool: String
    let server: String
    private let address: SocketAddress?
    private unowned let monitor: ServerMonitor
    private var settings: HealthConfig
    private var socket = Socket(adopting: -1)
    private var registration: Registration?
    private enum Phase { case idle, connecting, reading }
    private var phase = Phase.idle
    private var input = [UInt8](repeating: 0, count: 4096)
    private var filled = 0
    private var parser = ResponseHeadParser(limits: HTTPLimits(maxHeadBytes: 4096))
    private var head = ResponseHead()
    private var passes = 0
    private var failures = 0
    private(set) var up = true

    init(pool: String, server: ServerAddress, settings: HealthConfig, monitor: ServerMonitor, firstCheckIn: UInt64) {
        self.pool = pool
        self.server = server.description
        address = SocketAddress(host: server.host, port: server.port)
        self.settings = settings
        self.monitor = monitor
        super.init()
        monitor.loop.timers.schedule(self, at: monitor.loop.now &+ firstCheckIn)
    }

    /// New interval, timeout, rise, fall or path from a reload; the next check uses them.
    func update(_ settings: HealthConfig) { self.settings = settings }

    override func timerExpired(now: UInt64) {
        switch phase {
        case .idle: begin()
        case .connecting: finish(passed: false, detail: "connecting took longer than timeout_ms \(settings.timeoutMs)")
        case .reading: finish(passed: false, detail: "no answer within timeout_ms \(settings.timeoutMs)")
        }
    }

    func handleEvents(_ events: UInt32) {
        if phase == .connecting && events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 {
            if let error = socket.pendingError() {
                finish(passed: false, detail: "connect: \(error)")
                return
            }
            sendRequest()
        }
        if phase == .reading && events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            readAnswer()
        }
    }

    private func begin() {
        guard let address else {
            finish(passed: false, detail: "the address cannot be used")
            return
        }
        do {
            socket = try Socket.connect(to: address)
            registration = try monitor.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        } catch {
            finish(passed: false, detail: "connect: \(error)")
            return
        }
        phase = .connecting
        filled = 0
        parser.reset()
        monitor.loop.timers.schedule(self, at: monitor.loop.now &+ UInt64(settings.timeoutMs) * 1_000_000)
    }

    private func sendRequest() {
        let request = Array("GET \(settings.path) HTTP/1.1\r\nHost: \(server)\r\nUser-Agent: turnout-health-check\r\nConnection: close\r\n\r\n".utf8)
        // A few dozen bytes on a fresh connection fit the socket buffer; a short write is a failure.
        let result = request.withUnsafeBytes { socket.write($0.baseAddress!, count: $0.count) }
        guard case .bytes(let n) = result, n == request.count else {
            finish(passed: false, detail: "could not send the check request")
            return
        }
        phase = .reading
    }

    private func readAnswer() {
        while phase == .reading {
            guard filled < input.count else {
                finish(passed: false, detail: "the answer's head is larger than 4 KiB")
                return
            }
            let result = input.withUnsafeMutableBytes { socket.read(into: $0.baseAddress! + filled, count: $0.count - filled) }
            switch result {
            case .bytes(let n):
                filled += n
                let parsed = input.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), requestMethod: .get, into: &head) }
                switch parsed {
                case .complete:
                    finish(passed: (200..<400).contains(head.status), detail: "\(settings.path) answered \(head.status)")
                case .failed(let error):
                    finish(passed: false, detail: "\(settings.path) answered with an invalid response: \(error.message)")
                case .needMore:
                    continue
                }
            case .wouldBlock:
                return
            case .endOfFile, .failed:
                finish(passed: false, detail: "the connection closed before an answer")
            }
        }
    }

    /// Ends a check: closes its connection, counts it, reports a verdict that changed, and
    /// schedules the next check.
    private func finish(passed: Bool, detail: String) {
        if let registration { monitor.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
        phase = .idle
        monitor.loop.timers.schedule(self, at: monitor.loop.now &+ UInt64(settings.intervalMs) * 1_000_000)
        if passed {
            passes += 1
            failures = 0
            if !up && passes >= settings.rise {
                up = true
                monitor.verdict(self, up: true, reason: "\(passes) checks passed in a row (\(detail))")
            }
        } else {
            failures += 1
            passes = 0
            if up && failures >= settings.fall {
                up = false
                monitor.verdict(self, up: false, reason: "\(failures) checks failed in a row (last: \(detail))")
            }
        }
    }

    /// Stops checking (the server left the configuration).
    func cancel() {
        monitor.loop.timers.remove(self)
        if let registration { monitor.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
    }
}
