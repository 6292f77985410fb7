import TurnoutRollout

/// A whole Turnout configuration, decoded and validated (see `ConfigLoader`).
///
/// A value of this type has passed every check `turnout check` makes: addresses parse, names
/// referenced by routes, splits and the mirror exist, numbers are in range. Pools and splits are
/// sorted by name because JSON objects are unordered and the runtime needs a stable order
/// (sticky buckets map onto pools in that order); routes keep file order (first match wins).
public struct Config: Sendable, Equatable {
    /// Client listen addresses (at least one). Port 0 asks the kernel for a free port.
    public var listen: [ServerAddress]
    /// Event-loop threads; 0 means one per core (resolved by the runtime, not here). 0...256.
    public var workers: Int
    /// The admin API's Unix socket and optional TCP listener.
    public var admin: AdminConfig
    /// Where runtime state (weights, rollouts, drains) is persisted; nil disables persistence.
    public var stateFile: String?
    /// Upstream pools, sorted by name.
    public var pools: [PoolConfig]
    /// Weighted splits over pools, sorted by name.
    public var splits: [SplitConfig]
    /// Routes in file order; the first that matches a request wins.
    public var routes: [RouteConfig]
    /// Active health checks.
    public var health: HealthConfig
    /// Passive outlier ejection.
    public var outlier: OutlierConfig
    /// Retry policy for failed upstream attempts.
    public var retries: RetryConfig
    /// Shadow traffic for every route that does not set its own; nil when off. Use
    /// `mirror(forRoute:)` for the mirror that applies to a route.
    public var mirror: MirrorConfig?
    /// The canary analyzer's tolerances and a release's pace: every release starts from these and
    /// may override them in its own `analysis` block.
    public var analysis: AnalysisSettings
    /// Client and upstream timeouts.
    public var timeouts: TimeoutConfig
    /// Connection, header and body limits.
    public var limits: LimitConfig
    /// `"stdout"` or a file path for the JSON access log; nil when off.
    public var accessLog: String?
    /// Rollout templates by split name, used by `POST /splits/NAME/rollout` with an empty body:
    /// checked plans, their analysis the configuration's with the template's overrides.
    public var rollouts: [String: RolloutPlan]
    /// Webhooks and a command that receive every history entry; nil when off.
    public var notify: NotifyConfig?
    /// Name of the response header that carries the chosen pool (`X-Turnout-Pool` by default);
    /// nil when the header is disabled (`"pool_header": null`).
    public var poolHeader: String?
    /// Cluster mode: the fleet's shared state in etcd (SPEC §16); nil for one instance alone.
    public var cluster: ClusterConfig?

    /// The default admin socket path.
    public static let defaultAdminSocket = "run/turnout-admin.sock"
    /// The default state file path.
    public static let defaultStateFile = "run/turnout-state.json"
    /// The default pool response header.
    public static let defaultPoolHeader = "X-Turnout-Pool"

    /// Creates a configuration; every section but `listen`, `pools` and `routes` defaults to
    /// the values documented in SPEC §2. No validation happens here (tests build configs freely).
    public init(
        listen: [ServerAddress],
        workers: Int = 0,
        admin: AdminConfig = AdminConfig(),
        stateFile: String? = Config.defaultStateFile,
        pools: [PoolConfig],
        splits: [SplitConfig] = [],
        routes: [RouteConfig],
        health: HealthConfig = HealthConfig(),
        outlier: OutlierConfig = OutlierConfig(),
        retries: RetryConfig = RetryConfig(),
        mirror: MirrorConfig? = nil,
        analysis: AnalysisSettings = AnalysisSettings(),
        timeouts: TimeoutConfig = TimeoutConfig(),
        limits: LimitConfig = LimitConfig(),
        accessLog: String? = nil,
        poolHeader: String? = Config.defaultPoolHeader,
        notify: NotifyConfig? = nil,
        rollouts: [String: RolloutPlan] = [:],
        cluster: ClusterConfig? = nil
    ) {
        self.cluster = cluster
        self.rollouts = rollouts
        self.listen = listen
        self.workers = workers
        self.admin = admin
        self.stateFile = stateFile
        self.pools = pools
        self.splits = splits
        self.routes = routes
        self.health = health
        self.outlier = outlier
        self.retries = retries
        self.mirror = mirror
        self.analysis = analysis
        self.timeouts = timeouts
        self.limits = limits
        self.accessLog = accessLog
        self.poolHeader = poolHeader
        self.notify = notify
    }

    /// The pool called `name`, if any.
    public func pool(named name: String) -> PoolConfig? {
        pools.first { $0.name == name }
    }

    /// The split called `name`, if any.
    public func split(named name: String) -> SplitConfig? {
        splits.first { $0.name == name }
    }

    /// The mirror that applies to `routes[index]`: its own, none when it opts out with `null`,
    /// else the top-level one. `index` must be a valid route index.
    public func mirror(forRoute index: Int) -> MirrorConfig? {
        routes[index].mirror.resolved(over: mirror)
    }
}
