import TurnoutPosix

/// What the proxy observes about its servers turned into routing: health-check verdicts and
/// outlier ejections (SPEC §4). Each change publishes a snapshot that leaves the server out (or
/// brings it back) from the next request, and is recorded in the history with its reason.
///
/// Observations are not saved (a restart observes afresh), so they take the state lock only:
/// a verdict is in force at once, never waiting behind another change's disk write.
extension ControlPlane {
    /// A server's health checks changed their verdict.
    public func healthChanged(pool: String, server: String, up: Bool, reason: String) {
        let changed = state.withLock { state -> Bool in
            guard Self.isConfigured(pool: pool, server: server, in: state) else { return false }
            if up {
                guard state.health.down[pool]?.remove(server) != nil else { return false }
                if state.health.down[pool]?.isEmpty == true { state.health.down[pool] = nil }
            } else {
                guard state.health.down[pool, default: []].insert(server).inserted else { return false }
            }
            observed(action: up ? .up : .down, pool: pool, server: server, source: .health, reason: reason, in: &state)
            return true
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
            guard state.health.serverState(pool: pool, server: server, drained: state.runtime.drained) == .up else { return nil }
            let othersUp = definition.servers.map(\.address.description).filter {
                $0 != server && state.health.serverState(pool: pool, server: $0, drained: state.runtime.drained) == .up
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
            let count = state.health.ejections[pool, default: [:]][server, default: 0] + 1
            state.health.ejections[pool, default: [:]][server] = count
            let milliseconds = state.config.outlier.ejectMs * min(1 << min(count - 1, 30), ServerHealth.maxEjectionMultiplier)
            state.health.ejected[pool, default: [:]][server] = ServerHealth.Ejection(
                until: monotonicNanoseconds() &+ UInt64(milliseconds) * 1_000_000, milliseconds: milliseconds)
            let reason = "\(threshold) connect failures or 5xx answers in a row; out for \(milliseconds) ms (ejection \(count))"
            observed(action: .eject, pool: pool, server: server, source: .outlier, reason: reason, in: &state)
            return "pool \(pool) server \(server) ejected: \(reason)"
        }
        if let message { notice(message) }
    }

    /// Brings back ejected servers whose time is up. The server monitor calls it on its tick.
    public func endEjections(now: UInt64 = monotonicNanoseconds()) {
        let returned = state.withLock { state -> [String] in
            var due: [(String, String)] = []
            for (pool, servers) in state.health.ejected {
                for (server, ejection) in servers where ejection.until <= now { due.append((pool, server)) }
            }
            guard !due.isEmpty else { return [] }
            for (pool, server) in due.sorted(by: { $0 < $1 }) {
                state.health.ejected[pool]?[server] = nil
                if state.health.ejected[pool]?.isEmpty == true { state.health.ejected[pool] = nil }
                observed(action: .return, pool: pool, server: server, source: .outlier, reason: "ejection time is over", in: &state)
            }
            return due.sorted { $0 < $1 }.map { "pool \($0.0) server \($0.1) is back after its ejection" }
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

    /// Publishes the observed health (the workers adopt it from their next request; nobody
    /// waits for them) and records it.
    private func observed(action: ChangeAction, pool: String, server: String, source: ChangeSource, reason: String,
                          in state: inout State) {
        _ = publish(state)
        // Health is observed by each instance of a fleet on its own, so it is not shared.
        record(ChangeRecord(time: wallClock(), split: nil, action: action, server: "\(pool)/\(server)",
                            origin: ChangeOrigin(source: source, reason: reason), instance: instance), in: &state, deliver: true)
    }
}
