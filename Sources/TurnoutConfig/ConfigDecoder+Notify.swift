/// `notify`: webhooks and a command that receive every history entry (SPEC §14).
extension ConfigDecoder {
    func decodeNotify(_ top: Fields) -> NotifyConfig? {
        guard let value = top["notify"], value != .null else { return nil }
        let path = top.path.key("notify")
        guard let fields = reader.object(value, at: path, keys: ["webhooks", "command", "timeout_ms", "queue_limit", "attempts"],
            expected: "null or an object such as {\"webhooks\": [\"http://127.0.0.1:9000/turnout\"]}")
        else { return nil }
        var notify = NotifyConfig()
        if let webhooks = fields["webhooks"] {
            let listPath = path.key("webhooks")
            for (i, element) in (reader.array(webhooks, at: listPath, expected: "a list of http:// URLs") ?? []).enumerated() {
                guard let text = reader.string(element, at: listPath.index(i), expected: "an http:// URL") else { continue }
                guard let url = WebhookURL(text) else {
                    reader.report(listPath.index(i), "expected a URL such as \"http://127.0.0.1:9000/turnout\" (plain http, host and optional port and path), got \(quoted(text))")
                    continue
                }
                // Turnout resolves no names (its pools take addresses too): what `check` passes, `run` can deliver to.
                if ServerAddress(host: url.host, port: url.port).hostKind == .name && url.host != "localhost" {
                    reader.report(listPath.index(i), "\(quoted(text)): the host must be an IP address or localhost (Turnout does not resolve names)")
                    continue
                }
                notify.webhooks.append(url)
            }
        }
        if let command = fields["command"], command != .null {
            let commandPath = path.key("command")
            let expected = "a program and its arguments such as [\"/usr/local/bin/notify\", \"--team\", \"web\"], or null"
            if let elements = reader.array(command, at: commandPath, expected: expected) {
                let argv = elements.enumerated().compactMap { i, element in
                    reader.string(element, at: commandPath.index(i), expected: "a string")
                }
                if elements.isEmpty {
                    reader.report(commandPath, "expected \(expected), got an empty list")
                } else if argv.count == elements.count {
                    if argv[0].isEmpty { reader.report(commandPath.index(0), "expected the program's path, got an empty string") }
                    notify.command = argv
                }
            }
        }
        notify.timeoutMs = reader.integer(fields, "timeout_ms", default: notify.timeoutMs, .positiveMs)
        notify.queueLimit = reader.integer(fields, "queue_limit", default: notify.queueLimit,
            IntBounds(min: 1, max: 1_000_000, maxNote: "entries wait in memory"))
        notify.attempts = reader.integer(fields, "attempts", default: notify.attempts,
            IntBounds(min: 1, max: 100))
        return notify
    }
}
