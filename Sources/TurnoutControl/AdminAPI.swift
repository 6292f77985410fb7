import Foundation
import TurnoutAdmin

/// The admin API's endpoints (SPEC §6) over the control plane: each request is decoded
/// strictly, applied through `ControlPlane`, and answered with JSON. A bad request gets a 4xx
/// with `{"error": "…"}` that says what and where, and changes nothing.
public struct AdminAPI: Sendable {
    public let control: ControlPlane
    /// The timeline behind `GET /stats`.
    public let monitor: TrafficMonitor

    public init(control: ControlPlane, monitor: TrafficMonitor) {
        self.control = control
        self.monitor = monitor
    }

    public func handle(_ request: AdminRequest) -> AdminResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
            .map { String($0).removingPercentEncoding ?? String($0) }
        let origin = ChangeOrigin(source: "admin", caller: ChangeCaller(request.caller))
        do throws(ControlError) {
            switch (request.method, segments.count, segments.first) {
            case (_, 1, "status"):
                try expect(request, "GET")
                return .json(200, jsonText(control.statusDocument()))
            case (_, 1, "history"):
                try expect(request, "GET")
                return .json(200, jsonText(control.historyDocument()))
            case (_, 1, "stats"):
                try expect(request, "GET")
                return .json(200, jsonText(control.statsDocument(monitor)))
            case (_, 1, "metrics"):
                try expect(request, "GET")
                return AdminResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(control.metricsText().utf8))
            case (_, 1, "reload"):
                try expect(request, "POST")
                return .json(200, jsonText(["reloaded": true, "message": try control.reload(origin: origin)]))
            case (_, 2, "splits"):
                return try splitWeights(request, split: segments[1], origin: origin)
            case (_, 3, "splits"):
                return try splitAction(request, split: segments[1], action: segments[2], origin: origin)
            case (_, 5, "pools") where segments[2] == "servers":
                return try serverAction(request, pool: segments[1], server: segments[3], action: segments[4], origin: origin)
            default:
                throw ControlError(404, "no admin endpoint \(request.method) \(request.path) (see GET /status, /stats, /metrics, /history; PUT /splits/NAME; POST /splits/NAME/switch, /splits/NAME/rollback, /pools/P/servers/ADDR/drain, /pools/P/servers/ADDR/enable, /reload)")
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
            let weights: [String: Int] = try decode(request, as: [String: Int].self,
                                                    expected: #"a JSON object of pool names to non-negative integer weights, like {"blue": 90, "canary": 10}"#)
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
            struct Body: Decodable { let to: String; let force: Bool? }
            let body = try decode(request, as: Body.self, expected: #"a JSON object like {"to": "green", "force": false}"#)
            try control.switchSplit(split, to: body.to, force: body.force ?? false, origin: origin)
        case "rollback":
            try expect(request, "POST")
            try control.rollback(split: split, origin: origin)
        default:
            throw ControlError(404, "no action \(quoted(action)) on splits (actions: switch, rollback)")
        }
        return try splitDocument(split)
    }

    private func serverAction(_ request: AdminRequest, pool: String, server: String, action: String, origin: ChangeOrigin) throws(ControlError) -> AdminResponse {
        try expect(request, "POST")
        let drained: Bool
        switch action {
        case "drain": drained = true
        case "enable": drained = false
        default: throw ControlError(404, "no action \(quoted(action)) on servers (actions: drain, enable)")
        }
        let changed = try control.setDrained(pool: pool, server: server, drained: drained, origin: origin)
        return .json(200, jsonText(["pool": pool, "server": server, "state": drained ? "drain" : "up", "changed": changed]))
    }

    private func splitDocument(_ split: String) throws(ControlError) -> AdminResponse {
        guard let current = control.weights(of: split) else {
            throw ControlError(404, "no split named \(quoted(split)) (splits: \(list(control.config.splits.map(\.name))))")
        }
        return .json(200, jsonText(["split": split, "weights": current.weights, "source": current.source]))
    }

    private func expect(_ request: AdminRequest, _ method: String) throws(ControlError) {
        guard request.method == method else {
            throw ControlError(405, "\(request.method) \(request.path): this endpoint takes \(method)")
        }
    }

    /// Decodes the body strictly (a string is not a number, 1.5 is not an integer).
    private func decode<T: Decodable>(_ request: AdminRequest, as type: T.Type, expected: String) throws(ControlError) -> T {
        guard !request.body.isEmpty else { throw .badRequest("\(request.method) \(request.path): the body must be \(expected)") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch {
            throw .badRequest("\(request.method) \(request.path): the body must be \(expected)")
        }
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
