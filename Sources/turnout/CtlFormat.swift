import TurnoutControl

/// `turnout ctl`'s readable output: the admin API's documents, decoded with the types the API
/// encodes them with, turned into small aligned tables.
enum CtlFormat {
    /// The answer to `verb` as a person reads it; the body as it came when it is not the
    /// document that verb answers with.
    static func render(verb: String, body: String) -> String {
        do {
            switch verb {
            case "status": return status(try DocumentJSON.decode(StatusDocument.self, from: body))
            case "weights", "switch", "rollback": return split(try DocumentJSON.decode(SplitWeightsDocument.self, from: body))
            case "history": return history(try DocumentJSON.decode(HistoryDocument.self, from: body))
            case "stats": return stats(try DocumentJSON.decode(StatsDocument.self, from: body))
            case "mirror": return mirror(try DocumentJSON.decode(MirrorDocument.self, from: body))
            case "drain", "enable":
                let document = try DocumentJSON.decode(ServerActionDocument.self, from: body)
                return "pool \(document.pool) server \(document.server): \(document.state.rawValue)" + (document.changed ? "" : " (already)") + "\n"
            case "reload": return try DocumentJSON.decode(ReloadDocument.self, from: body).message + "\n"
            case "guard": return guarded(try DocumentJSON.decode(GuardDocument.self, from: body))
            case "rollout": return rollout(try DocumentJSON.decode(RolloutDocument.self, from: body), stats: nil)
            default: return body
            }
        } catch {
            return body
        }
    }

    /// The `error` field of an admin answer, if it has one.
    static func errorMessage(_ body: String) -> String? {
        try? DocumentJSON.decode(ErrorDocument.self, from: body).error
    }

    private static func status(_ document: StatusDocument) -> String {
        var out = "turnout \(document.version), up \(number(document.uptime)) s, \(document.workers) workers\n\n"
        var splitRows = [["SPLIT", "SOURCE", "WEIGHTS", "ROLLOUT"]]
        for (name, entry) in document.splits.sorted(by: { $0.key < $1.key }) {
            var rollout = "-"
            if let summary = entry.rollout {
                rollout = "\(summary.baseline) → \(summary.canary) \(summary.state.rawValue), step \(summary.step)/\(summary.steps), canary \(summary.canaryWeight) %"
            }
            splitRows.append([name, entry.source.rawValue, weights(entry.weights), rollout])
        }
        out += table(splitRows) + "\n"
        var serverRows = [["POOL", "BALANCE", "SERVER", "WEIGHT", "STATE", "IN-FLIGHT"]]
        for (name, pool) in document.pools.sorted(by: { $0.key < $1.key }) {
            for server in pool.servers {
                serverRows.append([name, pool.balance, server.address, String(server.weight), server.state.rawValue, String(server.inFlight)])
            }
        }
        return out + table(serverRows) + (document.fleet.map(fleet) ?? "")
    }

    /// The fleet under the status: etcd as this instance sees it, each member, who leads what.
    private static func fleet(_ fleet: FleetStatusDocument) -> String {
        let etcd = fleet.etcd.reachable ? "reachable" : "UNREACHABLE since \(fleet.etcd.since): \(fleet.etcd.error ?? "no answer")"
        let out = "\nfleet \(fleet.prefix) on etcd \(fleet.etcd.endpoints.joined(separator: ", ")) (\(etcd)); "
            + "this is \(fleet.instance), at revision \(fleet.revision)\n"
        let leads = Dictionary(grouping: fleet.leaders, by: \.value).mapValues { $0.map(\.key).sorted().joined(separator: ",") }
        var rows = [["INSTANCE", "LISTEN", "VERSION", "REVISION", "LEADS"]]
        for member in fleet.instances {
            rows.append([member.instance + (member.instance == fleet.instance ? " *" : ""), member.listen.joined(separator: ","), member.version,
                         String(member.revision), leads[member.instance] ?? "-"])
        }
        return out + table(rows)
    }

    private static func split(_ document: SplitWeightsDocument) -> String {
        var rows = [["POOL", "WEIGHT"]]
        for (pool, weight) in document.weights.sorted(by: { $0.key < $1.key }) { rows.append([pool, String(weight)]) }
        return "split \(document.split) (\(document.source.rawValue))\n" + table(rows)
    }

    private static func history(_ document: HistoryDocument) -> String {
        guard !document.entries.isEmpty else { return "no changes yet\n" }
        var rows = [["TIME", "WHAT", "CHANGE", "SOURCE", "CALLER"]]
        for entry in document.entries {
            var what = [entry.split, entry.server].compactMap { $0 }.joined(separator: " ")
            if let instance = entry.instance { what += " @\(instance)" }
            var change = entry.old == nil && entry.new == nil ? "" : weights(entry.old) + " -> " + weights(entry.new)
            if let reason = entry.reason { change += (change.isEmpty ? "" : "  ") + reason }
            rows.append([entry.time, "\(entry.action.name) \(what)", change, entry.source.rawValue, caller(entry.caller)])
        }
        return table(rows)
    }

    private static func stats(_ document: StatsDocument) -> String {
        let window = document.window
        var rows = [["POOL", "SERVER", "REQUESTS", "2XX", "4XX", "5XX", "ERRORS", "P50 MS", "P99 MS", "MAX MS"]]
        for (name, pool) in document.pools.sorted(by: { $0.key < $1.key }) {
            rows.append(statsRow(name, "*", pool.windows[window]))
            for (address, server) in pool.servers.sorted(by: { $0.key < $1.key }) {
                rows.append(statsRow(name, address, server.windows[window]))
            }
        }
        return "last \(window) (GET /stats has 10s, 1m, 5m and since start)\n" + table(rows)
    }

    private static func statsRow(_ pool: String, _ server: String, _ stats: TrafficDocument?) -> [String] {
        func count(_ value: UInt64?) -> String { value.map(String.init) ?? "-" }
        return [pool, server, count(stats?.requests), count(stats?.responses["2xx"]), count(stats?.responses["4xx"]), count(stats?.responses["5xx"]),
                String(stats?.failedAttempts ?? 0), number(stats?.latency?.p50), number(stats?.latency?.p99), number(stats?.latency?.max)]
    }

    private static func caller(_ caller: ChangeCaller) -> String {
        switch caller {
        case .address(let address): return address
        case .process(let uid, let pid): return "uid \(uid) pid \(pid)"
        case .none: return "-"
        }
    }

    private static func weights(_ table: [String: Int]?) -> String {
        guard let table else { return "-" }
        return table.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// A number as the JSON has it (`12`, `0.5`), or `-` for null.
    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// Left-aligned columns two spaces apart; numbers right-aligned.
    static func table(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for (r, row) in rows.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let numeric = r > 0 && !cell.isEmpty && cell.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" } && cell != "-"
                line += (i == 0 ? "" : "  ") + (numeric ? pad + cell : cell + (i == row.count - 1 ? "" : pad))
            }
            out += line + "\n"
        }
        return out
    }
}
