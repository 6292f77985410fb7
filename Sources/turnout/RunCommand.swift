import TurnoutConfig
import TurnoutCore

/// `turnout run [-c FILE]`: runs the proxy in the foreground until SIGTERM or SIGINT (graceful
/// drain), re-reading the configuration on SIGHUP.
enum RunCommand {
    static let defaultConfigPath = "conf/turnout.json"

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let path = try arguments.option("-c", "--config") ?? defaultConfigPath
        try arguments.expectEmpty()
        let config: Config
        do {
            config = try ConfigLoader.load(path: path)
        } catch {
            printError(error.description)
            return 1
        }
        ProcessSignal.blockAll()
        let server: ProxyServer
        do {
            server = try ProxyServer(config: config)
        } catch {
            printError("\(path): \(error)")
            return 2
        }
        server.start()
        let addresses = server.listenAddresses.map(\.description).joined(separator: ", ")
        printNotice("turnout \(TurnoutVersion.current): listening on \(addresses) with \(server.workerCount) workers (\(path))")
        if server.effectiveMaxConnections < config.limits.maxConnections {
            printNotice("limits.max_connections \(config.limits.maxConnections) lowered to \(server.effectiveMaxConnections): "
                + "the open-files limit (ulimit -n) leaves room for that many clients with an upstream connection each")
        }
        waitForSignals(server: server, configPath: path)
        return 0
    }

    /// Serves signals until a stop: SIGHUP validates and swaps the configuration (an invalid
    /// one is refused with its errors and the running one stays).
    static func waitForSignals(server: ProxyServer, configPath: String?) {
        while true {
            switch ProcessSignal.next() {
            case .hangUp:
                guard let configPath else { continue }
                do {
                    let config = try ConfigLoader.load(path: configPath)
                    server.publish(try ProxyServer.snapshot(for: config))
                    printNotice("reloaded \(configPath)")
                } catch {
                    printError("reload refused, the running configuration stays: \(error)")
                }
            case .interrupt, .terminate:
                printNotice("stopping: finishing in-flight requests")
                server.stop(graceful: true)
                printNotice("stopped")
                return
            }
        }
    }
}
