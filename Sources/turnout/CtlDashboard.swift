import Glibc
import TurnoutAdmin
import TurnoutCore
import TurnoutPosix

/// `turnout ctl dashboard [--port N]`: the dashboard for a browser that cannot open the admin
/// Unix socket. A listener on 127.0.0.1 (a free port unless given) relays every request — the
/// page itself included, so it is the running turnout's own page — to the admin endpoint ctl
/// resolved, with the token from the token file, and copies the answers back. It prints the
/// URL and runs until SIGINT or SIGTERM.
enum CtlDashboard {
    static func run(client: AdminClient, port: String?) -> Int32 {
        let number: UInt16
        if let port {
            guard let parsed = UInt16(port) else {
                printError("ctl: dashboard --port: \"\(port)\" is not a port number (0-65535)")
                return 1
            }
            number = parsed
        } else {
            number = 0
        }
        // Signals are blocked before the relay's thread starts, so only sigwait takes them.
        ProcessSignal.blockAll()
        let relay = AdminRelay(client: client)
        let server: AdminServer
        do {
            server = try AdminServer(socketPath: nil, tcp: SocketAddress(host: "127.0.0.1", port: number), token: nil) { relay.handle($0) }
        } catch {
            printError("ctl: dashboard: \(error)")
            return 1
        }
        server.start()
        let address = server.tcpAddress.map { "http://\($0)/" } ?? "http://127.0.0.1:\(number)/"
        writeStandardOutput("dashboard: \(address) (relaying to \(client.endpoint); Ctrl-C stops it)\n")
        while true {
            switch ProcessSignal.next() {
            case .interrupt, .terminate:
                server.stop()
                return 0
            case .hangUp:
                continue
            }
        }
    }
}
