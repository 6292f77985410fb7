import Foundation
import TurnoutConfig
import TurnoutCore

/// The JSON documents of `GET /status` and `GET /history` (shapes in SPEC §6), built as
/// Foundation property lists: they are assembled on the admin thread, never on the data path.
extension ControlPlane {
    /// Pools with their servers' state and load, splits with their weights and source, routes
    /// with the mirror each is under, and the top-level mirror.
    public func statusDocument() throws(ControlError) -> [String: Any] {
        guard let gauges = server.serverGauges() else { throw Self.workerSilent }
        let fleet = fleetView.withLock { $0 }?()
        return read { state in
            var pools: [String: Any] = [:]
            for pool in state.config.pools {
                pools[pool.name] = [
                    "balance": pool.balance.rawValue,
                    "servers": pool.servers.map { server -> [String: Any] in
                        let label = server.address.description
                        let load = gauges[pool.name]?[label]
                        return [
                            "address": label,
                            "weight": server.weight,
                            "state": state.health.state(pool: pool.name, server: label, drained: state.runtime.drained),
                            "in_flight": load?.inFlight ?? 0,
                            "idle_connections": load?.idleConnections ?? 0,
                        ]
                    },
                ]
            }
            var splits: [String: Any] = [:]
            for split in state.config.splits {
                let runtime = state.runtime.weights[split.name]
                splits[split.name] = [
                    "weights": runtime ?? split.weights,
                    "source": runtime == nil ? "config" : "runtime",
                    "rollback_depth": state.runtime.previous[split.name]?.count ?? 0,
                    "rollout": state.runtime.rollouts[split.name].map { RolloutReport.summary($0) as Any } ?? NSNull(),
                ]
            }
            return [
                "version": version,
                "uptime_s": (uptimeSeconds * 10).rounded() / 10,
                "workers": server.workerCount,
                "listen": server.listenAddresses.map(\.description),
                "pools": pools,
                "splits": splits,
                "routes": state.config.routes.indices.map { index in
                    var route = routeDocument(state.config.routes[index])
                    // The mirror in force for the route: its own, the top level's, or null.
                    route["mirror"] = Self.mirrorConfigDocument(state.config.mirror(forRoute: index))
                    return route
                },
                "mirror": Self.mirrorConfigDocument(state.config.mirror),
                "fleet": fleet.flatMap { try? JSONSerialization.jsonObject(with: JSONEncoder().encode($0)) } ?? NSNull(),
            ]
        }
    }

    /// The audit log, newest first.
    public func historyDocument() -> [String: Any] {
        read { state in ["entries": state.history.reversed().map(Self.historyEntry)] }
    }

    /// 503 when a worker did not hand over its part of a reading in time.
    static let workerSilent = ControlError(503, "a worker did not answer within 5 s; the reading would be incomplete, try again")

    /// One history entry as `/history` shows it and the notifications deliver it.
    static func historyEntry(_ record: ChangeRecord) -> [String: Any] {
        var entry: [String: Any] = [
            "time": RolloutReport.isoTime(record.time),
            "split": record.split ?? NSNull(),
            "action": record.action.name,
            "old": record.old ?? NSNull(),
            "new": record.new ?? NSNull(),
            "source": record.origin.source.rawValue,
            "caller": callerDocument(record.origin.caller),
            "reason": record.origin.reason ?? NSNull(),
        ]
        if let server = record.server { entry["server"] = server }
        if let instance = record.instance { entry["instance"] = instance }
        return entry
    }

    /// The entry as one line of JSON (a notification's body).
    static func historyEntryJSON(_ record: ChangeRecord) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: historyEntry(record), options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}

private func callerDocument(_ caller: ChangeCaller) -> Any {
    switch caller {
    case .process(let uid, let pid): return ["uid": Int(uid), "pid": Int(pid)]
    case .address(let address): return ["address": address]
    case .none: return NSNull()
    }
}

/// A route as it would be written in the configuration.
private func routeDocument(_ route: RouteConfig) -> [String: Any] {
    var document: [String: Any] = [:]
    switch route.target {
    case .pool(let pool): document["pool"] = pool
    case .split(let split): document["split"] = split
    }
    var match: [String: Any] = [:]
    if let host = route.match.host { match["host"] = host }
    if let prefix = route.match.pathPrefix { match["path_prefix"] = prefix }
    if let method = route.match.method { match["method"] = method }
    for (key, fields) in [("header", route.match.headers), ("cookie", route.match.cookies), ("query", route.match.query)] where !fields.isEmpty {
        match[key] = Dictionary(uniqueKeysWithValues: fields.map { field -> (String, String) in
            switch field.value {
            case .present: return (field.name, "*")
            case .exact(let value): return (field.name, value)
            }
        })
    }
    document["match"] = match
    switch route.sticky {
    case .cookie(let name): document["sticky"] = ["cookie": name]
    case .header(let name): document["sticky"] = ["header": name]
    case nil: break
    }
    return document
}

/// Serialises a property list as JSON text with sorted keys (stable for scripts and tests).
public func jsonText(_ document: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted]) else {
        return #"{"error": "the report could not be encoded"}"#
    }
    return String(decoding: data, as: UTF8.self) + "\n"
}
