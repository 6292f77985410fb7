import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutEtcd

/// The control side of a running proxy, shared by `run` and `demo`: the control plane, the
/// stats timeline, the rollout controller, the admin API and the health checks.
struct ControlServices {
    let control: ControlPlane
    let monitor: TrafficMonitor
    let rollouts: RolloutController
    let admin: AdminServer
    let watcher: ServerMonitor
    /// This instance's part in a fleet, in cluster mode.
    let fleet: Fleet?
    /// Webhooks and a command for every history entry, when `notify` is set.
    let notifications: Notifications?

    /// Why the control side could not start (a taken admin socket, a token file that is missing).
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Builds the control side and opens the admin API (first: when another turnout owns the
    /// socket, this one must not start serving traffic it cannot be told about). `start()`
    /// begins the background work once the proxy serves.
    static func open(server: ProxyServer, config: Config, runtime: StoredState, store: RuntimeStore?, fleetStore: EtcdStore? = nil,
                     configPath: String?,
                     admin adminConfig: AdminConfig, socketPath: String?) throws(StartFailure) -> ControlServices {
        let notifications: Notifications?
        do {
            notifications = try config.notify.map { try Notifications(config: $0, notice: printNotice) }
        } catch {
            throw StartFailure(description: "notify: \(error)")
        }
        let control = ControlPlane(server: server, config: config, runtime: runtime.state, revision: runtime.revision, store: store,
                                   configPath: configPath,
                                   version: TurnoutVersion.current, deliver: notifications?.deliver, notice: printNotice)
        let monitor = TrafficMonitor(server: server)
        var fleet: Fleet?
        if let cluster = config.cluster, let fleetStore {
            fleet = Fleet(control: control, client: fleetStore.client, store: fleetStore, cluster: cluster,
                          listen: server.listenAddresses.map(\.description), admin: adminConfig.listen?.description)
        }
        let rollouts = RolloutController(control: control, monitor: monitor, traffic: fleet)
        var counts: (@Sendable () -> NotificationCounts)?
        if let notifications { counts = { notifications.counts } }
        let api = AdminAPI(control: control, monitor: monitor, rollouts: rollouts, notificationCounts: counts)
        let admin: AdminServer
        do {
            admin = try AdminWiring.start(adminConfig, socketPath: socketPath, api: api)
        } catch {
            throw StartFailure(description: "\(error)")
        }
        let watcher: ServerMonitor
        do {
            watcher = try ServerMonitor(control: control)
        } catch {
            admin.stop()
            throw StartFailure(description: "cannot start the health checks: \(error)")
        }
        return ControlServices(control: control, monitor: monitor, rollouts: rollouts, admin: admin, watcher: watcher, fleet: fleet,
                               notifications: notifications)
    }

    /// Starts the notifications, the stats timeline, the health checks and the rollout controller.
    func start() {
        notifications?.start()
        monitor.start()
        watcher.start()
        rollouts.start()
        fleet?.start(onLeadGained: rollouts.wake)
    }

    /// Stops the admin side before the proxy drains.
    func stop() {
        admin.stop()
        rollouts.stop()
        // The lease is revoked: the fleet sees this instance leave, its leads are taken at once.
        fleet?.stop()
        watcher.stop()
        monitor.stop()
        // What the stop itself recorded is delivered before the process drains.
        notifications?.stop()
    }
}
