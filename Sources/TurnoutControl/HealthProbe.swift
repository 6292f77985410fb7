import TurnoutConfig
import TurnoutPosix

/// Active health checks of one server (SPEC §4), HAProxy-style: every `interval_ms` a fresh
/// connection sends `GET health.path` (a `ProbeExchange`, as a switch's preflight does); a 2xx
/// or 3xx within `timeout_ms` passes. `fall` failures in a row take an up server down, `rise`
/// passes in a row bring a down one back. Servers start up, so a restart does not refuse
/// traffic while the first checks run.
final class HealthProbe: TimerNode, EventHandler {
    let pool: String
    let server: String
    private let address: SocketAddress?
    private unowned let monitor: ServerMonitor
    private var settings: HealthConfig
    /// The check in flight; its head must fit 4 KiB, and its body is not read.
    private var exchange = ProbeExchange(headLimit: 4096, bodyLimit: 0)
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
        guard exchange.isActive else { return begin() }
        let connecting = exchange.isConnecting
        exchange.cancel()
        finish(passed: false, detail: connecting ? "connecting took longer than timeout_ms \(settings.timeoutMs)" : "no answer within timeout_ms \(settings.timeoutMs)")
    }

    func handleEvents(_ events: UInt32) {
        switch exchange.handle(events) {
        case nil:
            break
        case .answered(let answer):
            finish(passed: (200..<400).contains(answer.status), detail: "\(settings.path) answered \(answer.status)")
        case .failed(let failure):
            finish(passed: false, detail: Self.describe(failure, path: settings.path))
        }
    }

    private func begin() {
        guard let address else {
            finish(passed: false, detail: "the address cannot be used")
            return
        }
        let request = ProbeExchange.request(path: settings.path, host: server, userAgent: "turnout-health-check")
        if let failure = exchange.start(to: address, request: request, on: monitor.loop, handler: self) {
            finish(passed: false, detail: Self.describe(failure, path: settings.path))
            return
        }
        monitor.loop.timers.schedule(self, at: monitor.loop.now &+ UInt64(settings.timeoutMs) * 1_000_000)
    }

    /// A failed check in the words of the health verdict's reason.
    private static func describe(_ failure: ProbeExchange.Failure, path: String) -> String {
        switch failure {
        case .connect(let error): return "connect: \(error)"
        case .send: return "could not send the check request"
        case .closed(nil): return "the connection closed before an answer"
        case .closed(let status?): return "\(path) answered \(status), then the connection closed"
        case .invalid(let reason): return "\(path) answered with an invalid response: \(reason)"
        }
    }

    /// Ends a check: closes its connection, counts it, reports a verdict that changed, and
    /// schedules the next check.
    private func finish(passed: Bool, detail: String) {
        exchange.cancel()
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
        exchange.cancel()
    }
}
