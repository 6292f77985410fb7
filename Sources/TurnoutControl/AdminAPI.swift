import Foundation
import TurnoutAdmin
import TurnoutConfig
import TurnoutRollout

/// The admin API's endpoints (SPEC §6) over the control plane: each request is decoded
/// strictly, applied through `ControlPlane`, and answered with JSON. A bad request gets a 4xx
/// with `{"error": "…"}` that says what and where, and changes nothing.
public struct AdminAPI: Sendable {
    public let control: ControlPlane
    /// The timeline behind `GET /stats`.
    public let monitor: TrafficMonitor
    /// Starts rollouts and reports what looking costs.
    public let rollouts: RolloutController
    /// The notifications' delivery counts for `/metrics`, when notifications are on.
    public let notificationCounts: (@Sendable () -> NotificationCounts)?

    public init(control: ControlPlane, monitor: TrafficMonitor, rollouts: RolloutController,
                notificationCounts: (@Sendable () -> NotificationCounts)? = nil) {
        self.control = control
        self.monitor = monitor
        self.rollouts = rollouts
        self.notificationCounts = notificationCounts
    }

    static let endpoints = "GET / (the dashboard), /status, /stats, /stats/series, /metrics, /mirror, /history, /splits/NAME, /splits/NAME/rollout, /splits/NAME/guard; PUT /splits/NAME; POST /splits/NAME/switch, /splits/NAME/rollback, /splits/NAME/rollout, /splits/NAME/rollout/{pause,resume,abort,promote}, /splits/NAME/guard/{keep,revert}, /pools/P/servers/ADDR/{drain,enable}, /reload"

    public func handle(_ request: AdminRequest) -> AdminResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
            .map { String($0).removingPercentEncoding ?? String($0) }
        let origin = ChangeOrigin(source: .admin, caller: ChangeCaller(request.caller))
        do throws(ControlError) {
            switch (request.method, segments.count, segments.first) {
            case (_, 0, _):
                try expect(request, "GET")
                return DashboardPage.response
            case (_, 2, "stats") where segments[1] == "series":
                try expect(request, "GET")
                return seriesResponse(request)
            case (_, 1, "status"):
                try expect(request, "GET")
                return .json(200, jsonText(try control.statusDocument()))
            case (_, 1, "history"):
                try expect(request, "GET")
                return .json(200, jsonText(control.historyDocument()))
            case (_, 1, "stats"):
                try expect(request, "GET")
                return .json(200, jsonText(try control.statsDocument(monitor)))
            case (_, 1, "metrics"):
                try expect(request, "GET")
                let text = try control.metricsText(rollouts: rollouts, notifications: notificationCounts?())
                return AdminResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
            case (_, 1, "mirror"):
                try expect(request, "GET")
                // It takes no parameter; one is refused rather than ignored, as /stats/series does.
                if let pair = request.query.split(separator: "&").first {
                    throw .badRequest("GET /mirror: unknown parameter \"\(pair)\" (it takes none)")
                }
                return .json(200, jsonText(try control.mirrorDocument()))
            case (_, 1, "reload"):
                try expect(request, "POST")
                try noBody(request)
                return .json(200, jsonText(ReloadDocument(reloaded: true, message: try control.reload(origin: origin))))
            case (_, 2, "splits"):
                return try splitWeights(request, split: segments[1], origin: origin)
            case (_, 3, "splits") where segments[2] == "rollout":
                return try rollout(request, split: segments[1], origin: origin)
            case (_, 4, "splits") where segments[2] == "rollout":
                return try rolloutVerb(request, split: segments[1], verb: segments[3], origin: origin)
            case (_, 3, "splits") where segments[2] == "guard":
                try expect(request, "GET")
                return .json(200, jsonText(try control.guardDocument(segments[1])))
            case (_, 4, "splits") where segments[2] == "guard":
                try expect(request, "POST")
                try noBody(request)
                guard let verb = GuardVerb(rawValue: segments[3]) else {
                    throw ControlError(404, "no guard verb \(quoted(segments[3])) (verbs: keep, revert)")
                }
                try control.guardVerb(verb, split: segments[1], origin: origin)
                return .json(200, jsonText(try control.guardDocument(segments[1])))
            case (_, 3, "splits"):
                return try splitAction(request, split: segments[1], action: segments[2], origin: origin)
            case (_, 5, "pools") where segments[2] == "servers":
                return try serverAction(request, pool: segments[1], server: segments[3], action: segments[4], origin: origin)
            default:
                throw ControlError(404, "no admin endpoint \(request.method) \(request.path) (see \(Self.endpoints))")
            }
        } catch {
            return .error(error.status, error.message)
        }
    }

    /// `GET /splits/NAME` reads the weights; `PUT /splits/NAME` with `{"blue": 90, "canary": 10}` sets them.
    private func splitWeights(_ request: AdminRequest, split: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        switch request.method {
        case "GET":
            break
        case "PUT":
            let weights = try body(request) { body throws(ConfigErrors) in try AdminBody.weights(body) }
            try control.setWeights(split: split, to: weights, origin: origin)
        default:
            throw ControlError(405, "\(request.method) /splits/\(split): use GET to read the weights or PUT to set them")
        }
        return try splitDocument(split)
    }

    private func splitAction(_ request: AdminRequest, split: String, action: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        switch action {
        case "switch":
            try expect(request, "POST")
            let target = try body(request) { body throws(ConfigErrors) in try AdminBody.switchTarget(body) }
            var origin = origin
            if let switchGuard = target.guard {
                // The guard's checks run first and outside the change lock; the switch then
                // validates again, as every switch does.
                origin.reason = try control.checkSwitchGuard(switchGuard, split: split, to: target.to)
                if let watch = switchGuard.watchSeconds {
                    try rollouts.startGuardedSwitch(split: split, to: target.to, watchSeconds: watch,
                                                    baselineSeconds: switchGuard.baselineSeconds ?? SwitchGuard.defaultBaselineSeconds,
                                                    force: target.force, origin: origin)
                    return .json(200, jsonText(try control.guardDocument(split)))
                }
            }
            try control.switchSplit(split, to: target.to, force: target.force, origin: origin)
        case "rollback":
            try expect(request, "POST")
            try noBody(request)
            try control.rollback(split: split, origin: origin)
        default:
            throw ControlError(404, "no action \(quoted(action)) on splits (actions: switch, rollback, rollout)")
        }
        return try splitDocument(split)
    }

    /// `GET /splits/NAME/rollout` reports; `POST` starts one (an empty body uses the template).
    private func rollout(_ request: AdminRequest, split: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        switch request.method {
        case "GET":
            break
        case "POST":
            _ = try rollouts.start(split: split, body: request.body, origin: origin)
        default:
            throw ControlError(405, "\(request.method) /splits/\(split)/rollout: use GET to read the rollout or POST to start one")
        }
        return .json(200, jsonText(try control.rolloutDocument(split: split)))
    }

    /// `POST /splits/NAME/rollout/{pause,resume,abort,promote}`.
    private func rolloutVerb(_ request: AdminRequest, split: String, verb name: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        guard let verb = RolloutVerb(rawValue: name) else {
            throw ControlError(404, "no rollout verb \(quoted(name)) (verbs: pause, resume, abort, promote)")
        }
        try expect(request, "POST")
        try noBody(request)
        try control.rolloutVerb(verb, split: split, origin: origin)
        return .json(200, jsonText(try control.rolloutDocument(split: split)))
    }

    private func serverAction(_ request: AdminRequest, pool: String, server: String, action: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        try expect(request, "POST")
        try noBody(request)
        let drained: Bool
        switch action {
        case "drain": drained = true
        case "enable": drained = false
        default: throw ControlError(404, "no action \(quoted(action)) on servers (actions: drain, enable)")
        }
        let changed = try control.setDrained(pool: pool, server: server, drained: drained, origin: origin)
        return .json(200, jsonText(ServerActionDocument(pool: pool, server: server, state: drained ? .drain : .up, changed: changed)))
    }

    private func splitDocument(_ split: String) throws(ControlError) -> AdminResponse {
        guard let document = control.splitWeightsDocument(split) else {
            throw ControlError(404, "no split named \(quoted(split)) (splits: \(list(control.config.splits.map(\.name))))")
        }
        return .json(200, jsonText(document))
    }

    private func expect(_ request: AdminRequest, _ method: String) throws(ControlError) {
        guard request.method == method else {
            throw ControlError(405, "\(request.method) \(request.path): this endpoint takes \(method)")
        }
    }

    /// Decodes the body with `decode` (the configuration's strict reader): every problem is in
    /// the answer with its JSON path.
    private func body<T>(_ request: AdminRequest, _ decode: ([UInt8]) throws(ConfigErrors) -> T) throws(ControlError) -> T {
        do {
            return try decode(request.body)
        } catch {
            throw .badRequest("\(request.method) \(request.path): " + error.errors.map(\.description).joined(separator: "; "))
        }
    }

    /// Endpoints that take no body accept none (or `{}`), so a misplaced argument is not ignored.
    private func noBody(_ request: AdminRequest) throws(ControlError) {
        try body(request) { body throws(ConfigErrors) in try AdminBody.none(body) }
    }
}

extension ChangeCaller {
    init(_ caller: AdminCaller) {
        switch caller {
        case .unix(let uid, let pid): self = .process(uid: uid, pid: pid)
        case .tcp(let address): self = .address(address)
        }
    }
}
