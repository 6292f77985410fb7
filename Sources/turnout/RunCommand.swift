import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutEtcd

/// `turnout run [-c FILE] [--takeover]`: runs the proxy in the foreground until SIGTERM or SIGINT
/// (graceful drain), re-reading the configuration on SIGHUP; SIGUSR2 or `--takeover` replace a
/// running process without refusing a connection (`BinaryUpgrade`, `Takeover`).
enum RunCommand {
    static let defaultConfigPath = "conf/turnout.json"

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let path = try arguments.option("-c", "--config") ?? defaultConfigPath
        let takeover = arguments.flag("--takeover")
        try arguments.expectEmpty()
        let config: Config
        do {
            config = try ConfigLoader.load(path: path)
        } catch {
            printError(error.description)
            return 1
        }
        if takeover && !Takeover.begin(config: config, configPath: path) { return 1 }
        ProcessSignal.blockAll()
        // Runtime weights from the state file are in force from the first request: a restart
        // never routes by the configuration's weights after an operator changed them.
        // In a fleet, etcd holds the runtime state and the state file a copy of it.
        let fleetStore: EtcdStore?
        do {
            fleetStore = try config.cluster.map { cluster throws(EtcdError) in try Fleet.store(for: config, cluster: cluster) }
        } catch {
            printError("\(path): cluster.etcd: \(error)")
            return 1
        }
        let store: RuntimeStore? = fleetStore ?? ControlPlane.store(for: config)
        let runtime = fleetStore.map { Fleet.loadRuntimeState(config: config, store: $0, notice: printNotice) }
            ?? ControlPlane.loadRuntimeState(config: config, store: store, notice: printNotice)
        let server: ProxyServer
        do {
            server = try ProxyServer(config: config, weights: runtime.state.weights, unavailable: runtime.state.drained,
                                     inherited: BinaryUpgrade.inheritedListeners())
        } catch {
            printError("\(path): \(error)")
            return 2
        }
        let services: ControlServices
        do {
            services = try ControlServices.open(server: server, config: config, runtime: runtime, store: store, fleetStore: fleetStore,
                                                configPath: path,
                                                admin: config.admin, socketPath: config.admin.socket)
        } catch {
            printError("\(path): \(error)")
            return 2
        }
        let admin = services.admin
        server.start()
        services.start()
        let addresses = server.listenAddresses.map(\.description).joined(separator: ", ")
        printNotice("turnout \(TurnoutVersion.current): listening on \(addresses) with \(server.workerCount) workers (\(path)); "
            + "admin API on \(AdminWiring.describe(admin, socketPath: config.admin.socket))")
        if server.effectiveMaxConnections < config.limits.maxConnections {
            printNotice("limits.max_connections \(config.limits.maxConnections) lowered to \(server.effectiveMaxConnections): "
                + "the open-files limit (ulimit -n) leaves room for that many clients with an upstream connection each")
        }
        SystemdNotify.ready(status: "listening on \(addresses); admin API on \(AdminWiring.describe(admin, socketPath: config.admin.socket))")
        Takeover.finish()
        BinaryUpgrade.listen(configPath: path, server: server, rollouts: services.rollouts)
        waitForSignals(services.control) { services.stop() }
        return 0
    }

    /// Serves signals until a stop: SIGHUP validates and swaps the configuration (an invalid
    /// one is refused with its errors and the running one stays); SIGTERM and SIGINT close the
    /// admin side (`beforeDraining`), then drain the proxy.
    static func waitForSignals(_ control: ControlPlane, beforeDraining: () -> Void) {
        while true {
            switch ProcessSignal.next() {
            case .hangUp:
                SystemdNotify.reloading()
                do {
                    printNotice(try control.reload(origin: ChangeOrigin(source: .signal)))
                    SystemdNotify.ready(status: "configuration re-read on SIGHUP")
                } catch {
                    printError(error.message)
                    SystemdNotify.ready(status: "reload refused, the running configuration stays: \(error.message)")
                }
            case .interrupt, .terminate:
                printNotice("stopping: finishing in-flight requests")
                SystemdNotify.stopping()
                beforeDraining()
                control.server.stop(graceful: true)
                printNotice("stopped")
                return
            }
        }
    }
}
