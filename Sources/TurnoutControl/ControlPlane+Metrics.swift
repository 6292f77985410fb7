import TurnoutCore
import TurnoutMetrics

/// `GET /metrics`: the Prometheus exposition. Counters and histograms are cumulative since
/// start, per upstream server with `pool` and `server` labels (sum by pool for a pool's view);
/// gauges give in-flight requests, drained servers and every split's weights; the mirror's
/// families follow when there is shadow traffic.
extension ControlPlane {
    public func metricsText(rollouts controller: RolloutController? = nil, notifications: NotificationCounts? = nil) throws(ControlError) -> String {
        guard let all = server.trafficTotals(), let counters = server.counters(), let gauges = server.serverGauges(),
              let mirror = server.mirrorReport() else {
            throw Self.workerSilent
        }
        let totals = all.sorted { $0.key < $1.key }
        let (splits, pools, states, rollouts, outcomes) = read { state in
            (state.config.splits.map { split in (split.name, state.runtime.weights[split.name] ?? split.weights, state.runtime.weights[split.name] != nil) },
             state.config.pools.map { pool in (pool.name, pool.servers.map(\.address.description)) },
             state.health.allStates(pools: state.config.pools, drained: state.runtime.drained),
             state.runtime.rollouts.sorted { $0.key < $1.key },
             state.rolloutOutcomes)
        }
        var text = PrometheusText()
        text.family("turnout_info", type: .gauge, help: "Always 1; the version is a label.")
        text.sample("turnout_info", labels: [("version", version)], value: 1)
        text.family("turnout_uptime_seconds", type: .gauge, help: "Seconds since the process started.")
        text.sample("turnout_uptime_seconds", value: (uptimeSeconds * 1000).rounded() / 1000)

        text.family("turnout_connections_accepted_total", type: .counter, help: "Client connections accepted.")
        text.sample("turnout_connections_accepted_total", value: Double(counters.acceptedConnections))
        text.family("turnout_connections_open", type: .gauge, help: "Client connections open now.")
        text.sample("turnout_connections_open", value: Double(counters.openConnections))
        text.family("turnout_requests_rejected_total", type: .counter, help: "Requests refused before routing, by the status answered.")
        for (status, count) in counters.rejectedByStatus.sorted(by: { $0.key < $1.key }) {
            text.sample("turnout_requests_rejected_total", labels: [("status", String(status))], value: Double(count))
        }
        text.family("turnout_requests_unrouted_total", type: .counter, help: "Requests no route matched (answered 404).")
        text.sample("turnout_requests_unrouted_total", value: Double(counters.notRouted))
        text.family("turnout_upstream_retries_total", type: .counter, help: "Requests sent again to another server after a failure.")
        text.sample("turnout_upstream_retries_total", value: Double(counters.retries))
        text.family("turnout_requests_unserved_total", type: .counter, help: "Requests answered 503 or 502 because no server of the pool was up or reachable.")
        text.sample("turnout_requests_unserved_total", value: Double(counters.upstreamFailures))
        text.family("turnout_client_timeouts_total", type: .counter, help: "Client connections closed for a slow head or an idle body upload.")
        text.sample("turnout_client_timeouts_total", value: Double(counters.clientTimeouts))
        text.family("turnout_accept_pauses_total", type: .counter, help: "Times accepting paused: at max_connections, or out of descriptors or kernel memory.")
        text.sample("turnout_accept_pauses_total", value: Double(counters.acceptPauses))

        if let accessLog = server.accessLog {
            text.family("turnout_access_log_dropped_lines_total", type: .counter, help: "Access log lines dropped because the writer fell behind.")
            text.sample("turnout_access_log_dropped_lines_total", value: Double(accessLog.droppedLines))
        }

        text.family("turnout_upstream_responses_total", type: .counter, help: "Upstream responses by status class.")
        for (key, stats) in totals {
            for statusClass in 1...5 {
                text.sample("turnout_upstream_responses_total", labels: labels(key) + [("class", "\(statusClass)xx")],
                            value: Double(stats.responses(inClass: statusClass)))
            }
        }
        text.family("turnout_upstream_errors_total", type: .counter, help: "Upstream attempts that failed without a whole response, by kind.")
        for (key, stats) in totals {
            for kind in UpstreamErrorKind.allCases {
                text.sample("turnout_upstream_errors_total", labels: labels(key) + [("kind", kind.name)], value: Double(stats.errors(kind)))
            }
        }
        text.family("turnout_upstream_sent_bytes_total", type: .counter, help: "Request bytes written to upstream servers.")
        for (key, stats) in totals { text.sample("turnout_upstream_sent_bytes_total", labels: labels(key), value: Double(stats.bytesSent)) }
        text.family("turnout_upstream_received_bytes_total", type: .counter, help: "Response bytes read from upstream servers.")
        for (key, stats) in totals { text.sample("turnout_upstream_received_bytes_total", labels: labels(key), value: Double(stats.bytesReceived)) }
        text.family("turnout_upstream_latency_seconds", type: .histogram, help: "Request sent upstream to last response byte.")
        for (key, stats) in totals {
            text.histogram("turnout_upstream_latency_seconds", labels: labels(key), histogram: stats.latency, boundsSeconds: PrometheusText.latencyBoundsSeconds)
        }
        text.family("turnout_upstream_first_byte_seconds", type: .histogram, help: "Request sent upstream to the response head.")
        for (key, stats) in totals {
            text.histogram("turnout_upstream_first_byte_seconds", labels: labels(key), histogram: stats.firstByte, boundsSeconds: PrometheusText.latencyBoundsSeconds)
        }

        text.family("turnout_upstream_in_flight", type: .gauge, help: "Requests in flight to an upstream server.")
        for (pool, addresses) in pools {
            for address in addresses {
                text.sample("turnout_upstream_in_flight", labels: [("pool", pool), ("server", address)], value: Double(gauges[pool]?[address]?.inFlight ?? 0))
            }
        }
        text.family("turnout_upstream_up", type: .gauge, help: "1 when the server takes new requests, 0 when it is down, ejected or drained.")
        for (pool, addresses) in pools {
            for address in addresses {
                text.sample("turnout_upstream_up", labels: [("pool", pool), ("server", address)], value: states[pool]?[address] == .up ? 1 : 0)
            }
        }
        text.family("turnout_upstream_state", type: .gauge, help: "1 for the server's current state: up, down (health checks), ejected (outlier) or drain.")
        for (pool, addresses) in pools {
            for address in addresses {
                text.sample("turnout_upstream_state", labels: [("pool", pool), ("server", address), ("state", (states[pool]?[address] ?? .up).rawValue)], value: 1)
            }
        }
        text.family("turnout_split_weight", type: .gauge, help: "A split's weight for a pool, as routed now.")
        for (split, weights, _) in splits {
            for (pool, weight) in weights.sorted(by: { $0.key < $1.key }) {
                text.sample("turnout_split_weight", labels: [("split", split), ("pool", pool)], value: Double(weight))
            }
        }
        text.family("turnout_split_runtime_weights", type: .gauge, help: "1 when a split's weights were set at run time, 0 when they are the configuration's.")
        for (split, _, runtime) in splits { text.sample("turnout_split_runtime_weights", labels: [("split", split)], value: runtime ? 1 : 0) }
        // The mirror's families when a route mirrors, or mirrored before a reload turned it off
        // (its counters must not vanish while they are still being scraped).
        if mirrorConfigured || !mirror.counts.isEmpty { Self.mirrorMetrics(mirror, into: &text) }
        Self.rolloutMetrics(rollouts, outcomes: outcomes, controller: controller, into: &text)
        if let notifications { Self.notificationMetrics(notifications, into: &text) }
        return text.text
    }
}

private func labels(_ key: TrafficKey) -> [(String, String)] { [("pool", key.pool), ("server", key.server)] }
