import Foundation

/// `turnout ctl`'s readable output: the admin API's JSON turned into small aligned tables.
enum CtlFormat {
    static func render(verb: String, body: String) -> String {
        guard let document = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return body }
        switch verb {
        case "status": return status(document)
        case "weights", "switch", "rollback": return split(document)
        case "history": return history(document)
        case "stats": return stats(document)
        case "mirror": return mirror(document)
        case "drain", "enable":
            let changed = document["changed"] as? Bool ?? true
            return "pool \(text(document["pool"])) server \(text(document["server"])): \(text(document["state"]))"
                + (changed ? "" : " (already)") + "\n"
        case "reload": return text(document["message"]) + "\n"
        case "rollout": return rollout(document, stats: nil)
        default: return body
        }
    }

    /// The `error` field of an admin answer, if it has one.
    static func errorMessage(_ body: String) -> String? {
        let document = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return document?["error"] as? String
    }

    private static func status(_ document: [String: Any]) -> String {
        var out = "turnout \(text(document["version"])), up \(text(document["uptime_s"])) s, \(text(document["workers"])) workers\n\n"
        var splitRows = [["SPLIT", "SOURCE", "WEIGHTS", "ROLLOUT"]]
        let splits = document["splits"] as? [String: Any] ?? [:]
        for name in splits.keys.sorted() {
            let entry = splits[name] as? [String: Any] ?? [:]
            var rollout = "-"
            if let summary = entry["rollout"] as? [String: Any] {
                rollout = "\(text(summary["baseline"])) → \(text(summary["canary"])) \(text(summary["state"])), step \(text(summary["step"]))/\(text(summary["steps"])), canary \(text(summary["canary_weight"])) %"
            }
            splitRows.append([name, text(entry["source"]), weights(entry["weights"]), rollout])
        }
        out += table(splitRows) + "\n"
        var serverRows = [["POOL", "BALANCE", "SERVER", "WEIGHT", "STATE", "IN-FLIGHT"]]
        let pools = document["pools"] as? [String: Any] ?? [:]
        for name in pools.keys.sorted() {
            let pool = pools[name] as? [String: Any] ?? [:]
            for server in pool["servers"] as? [[String: Any]] ?? [] {
                serverRows.append([name, text(pool["balance"]), text(server["address"]), text(server["weight"]),
                                   text(server["state"]), text(server["in_flight"])])
            }
        }
        return out + table(serverRows)
    }

    private static func split(_ document: [String: Any]) -> String {
        var rows = [["POOL", "WEIGHT"]]
        let table = document["weights"] as? [String: Any] ?? [:]
        for pool in table.keys.sorted() { rows.append([pool, text(table[pool])]) }
        return "split \(text(document["split"])) (\(text(document["source"])))\n" + Self.table(rows)
    }

    private static func history(_ document: [String: Any]) -> String {
        let entries = document["entries"] as? [[String: Any]] ?? []
        guard !entries.isEmpty else { return "no changes yet\n" }
        var rows = [["TIME", "WHAT", "CHANGE", "SOURCE", "CALLER"]]
        for entry in entries {
            let what = [entry["split"], entry["server"]].compactMap { $0 as? String }.joined(separator: " ")
            var change = weights(entry["old"]) + " -> " + weights(entry["new"])
            if entry["old"] is NSNull && entry["new"] is NSNull { change = "" }
            if let reason = entry["reason"] as? String { change += (change.isEmpty ? "" : "  ") + reason }
            rows.append([text(entry["time"]), "\(text(entry["action"])) \(what)", change, text(entry["source"]), caller(entry["caller"])])
        }
        return table(rows)
    }

    private static func stats(_ document: [String: Any]) -> String {
        let window = document["window"] as? String ?? "1m"
        var rows = [["POOL", "SERVER", "REQUESTS", "2XX", "4XX", "5XX", "ERRORS", "P50 MS", "P99 MS", "MAX MS"]]
        let pools = document["pools"] as? [String: Any] ?? [:]
        for name in pools.keys.sorted() {
            let pool = pools[name] as? [String: Any] ?? [:]
            rows.append(statsRow(name, "*", pool, window))
            let servers = pool["servers"] as? [String: Any] ?? [:]
            for address in servers.keys.sorted() {
                rows.append(statsRow(name, address, servers[address] as? [String: Any] ?? [:], window))
            }
        }
        return "last \(window) (GET /stats has 10s, 1m, 5m and since start)\n" + table(rows)
    }

    private static func statsRow(_ pool: String, _ server: String, _ entry: [String: Any], _ window: String) -> [String] {
        let windows = entry["windows"] as? [String: Any] ?? [:]
        let stats = windows[window] as? [String: Any] ?? [:]
        let responses = stats["responses"] as? [String: Any] ?? [:]
        let errors = stats["errors"] as? [String: Any] ?? [:]
        let errorCount = ["connect", "timeout", "reset", "invalid"].reduce(0) { $0 + ((errors[$1] as? Int) ?? 0) }
        let latency = stats["latency_ms"] as? [String: Any] ?? [:]
        return [pool, server, text(stats["requests"]), text(responses["2xx"]), text(responses["4xx"]), text(responses["5xx"]),
                String(errorCount), text(latency["p50"]), text(latency["p99"]), text(latency["max"])]
    }

    private static func caller(_ value: Any?) -> String {
        guard let caller = value as? [String: Any] else { return "-" }
        if let address = caller["address"] as? String { return address }
        return "uid \(text(caller["uid"])) pid \(text(caller["pid"]))"
    }

    private static func weights(_ value: Any?) -> String {
        guard let table = value as? [String: Any] else { return "-" }
        return table.keys.sorted().map { "\($0)=\(text(table[$0]))" }.joined(separator: " ")
    }

    /// A JSON value as a person reads it: `-` for null or absent.
    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "-"
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default: return "\(value!)"
        }
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
