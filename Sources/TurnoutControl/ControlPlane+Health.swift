import TurnoutPosix

/// What the proxy observes about its servers turned into routing: health-check verdicts and
/// outlier ejections (SPEC §4). Each change publishes a snapshot that leaves the server out (or
/// brings it back) from the next request, and is recorded in the history with its reason.
extension ControlPlane {
    /// A server's health checks changed their verdict.
    public func healthChanged(pool: String, server: String, up: Bool, reason: String) {
        let changed = state.withLock { state -> Bool in
            guard Self.isConfigured(pool: pool, server: server, in: state) else { return false }
            var health = state.health
            if up {
                guard health.down[pool]?.remove(server) != nil else { return false }
                if health.down[pool]?.isEmpty == true { health.down[pool] = nil }
            } else {
                guard health.down[pool, default: []].insert(server).inserted else { return false }
            }
            return apply(health, action: up ? "up" : "down", pool: pool, server: server, source: "health", reason: reason, to: &state)
        }
        if changed { notice("pool \(pool) server \(server) is \(up ? "up" : "down"): \(reason)") }
    }

    /// A worker saw a server fail `outlier.consecutive_failures` times in a row. The server is
    /// ejected for `eject_ms`, doubled for each earlier ejection (up to 16 times), unless it is
    /// the last server of its pool that is up: a pool is never emptied by ejection.
    public func reportOutlier(pool: String, server: String) {
        let message = state.withLock { state -> String? in
            guard Self.isConfigured(pool: pool, server: server, in: state),
                  let definition = state.config.pool(named: pool) else { return nil }
            var health = state.health
            guard health.state(pool: pool, server: server, drained: state.runtime.drained) == "up" else { return nil }
            let othersUp = definition.servers.map(\.address.description).filter {
                $0 != server && health.state(pool: pool, server: $0, drained: state.runtime.drained) == "up"
            }
            let threshold = state.config.outlier.consecutiveFailures
            guard !othersUp.isEmpty else {
                let now = monotonicNanoseconds()
                let key = "\(pool)/\(server)"
                let quiet = UInt64(state.config.outlier.ejectMs) * 1_000_000
                if let last = state.health.lastKeptNotice[key], now &- last < quiet { return nil }
                state.health.lastKeptNotice[key] = now
                return "pool \(pool) server \(server) failed \(threshold) times in a row but is the last server up; not ejected"
            }
            let count = health.ejections[pool, default: [:]][server, default: 0] + 1
            health.ejections[pool, default: [:]][server] = count
            let milliseconds = state.config.outlier.ejectMs * min(1 << min(count - 1, 30), ServerHealth.maxEjectionMultiplier)
            health.ejected[pool, default: [:]][server] = ServerHealth.Ejection(
                until: monotonicNanoseconds() &+ UInt64(milliseconds) * 1_000_000, milliseconds: milliseconds)
            let reason = "\(threshold) connect failures or 5xx answers in a row; out for \(milliseconds) ms (ejection \(count))"
            guard apply(health, action: "eject", pool: pool, server: server, source: "outlier", reason: reason, to: &state) else { return nil }
            return "pool \(pool) server \(server) ejected: \(reason)"
        }
        if let message { notice(message) }
    }

    /// Brings back ejected servers whose time is up. The server monitor calls it on its tick.
    public func endEjections(now: UInt64 = monotonicNanoseconds()) {
        let returned = state.withLock { state -> [String] in
            var health = state.health
            var due: [(String, String)] = []
            for (pool, servers) in health.ejected {
                for (server, ejection) in servers where ejection.until <= now { due.append((pool, server)) }
            }
            guard !due.isEmpty else { return [] }
            for (pool, server) in due {
                health.ejected[pool]?[server] = nil
                if health.ejected[pool]?.isEmpty == true { health.ejected[pool] = nil }
            }
            do throws(ControlError) {
                try commit(state.runtime, health: health, under: state.config, to: &state)
            } catch {
                return ["ejected servers could not return: \(error.message)"]
            }
            return due.sorted { $0 < $1 }.map { pool, server in
                record(ChangeRecord(time: wallClock(), split: nil, action: "return", server: "\(pool)/\(server)",
                                    origin: ChangeOrigin(source: "outlier", reason: "ejection time is over")), in: &state)
                return "pool \(pool) server \(server) is back after its ejection"
            }
        }
        for message in returned { notice(message) }
    }

    /// The state `/status` shows for one server: `up`, `down`, `ejected` or `drain`.
    public func serverState(pool: String, server: String) -> String {
        read { $0.health.state(pool: pool, server: server, drained: $0.runtime.drained) }
    }

    private static func isConfigured(pool: String, server: String, in state: State) -> Bool {
        state.config.pool(named: pool)?.servers.contains { $0.address.description == server } == true
    }

    /// Publishes `health` and records the change; false (and a notice) if it could not be
    /// published, in which case nothing changed.
    private func apply(_ health: ServerHealth, action: String, pool: String, server: String, source: String, reason: String,
                       to state: inout State) -> Bool {
        do throws(ControlError) {
            try commit(state.runtime, health: health, under: state.config, to: &state)
        } catch {
            notice("pool \(pool) server \(server): \(action) not applied: \(error.message)")
            return false
        }
        record(ChangeRecord(time: wallClock(), split: nil, action: action, server: "\(pool)/\(server)",
                            origin: ChangeOrigin(source: source, reason: reason)), in: &state)
        return true
    }
}
