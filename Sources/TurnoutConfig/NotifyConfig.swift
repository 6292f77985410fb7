/// Where every history entry is delivered (SPEC §14): POSTed as JSON to each webhook, and
/// written to the standard input of one run of `command` per entry.
public struct NotifyConfig: Sendable, Equatable {
    /// `http://HOST:PORT/PATH` URLs (plain HTTP/1.1 over TCP).
    public var webhooks: [WebhookURL]
    /// argv of a program run once per entry with the entry on its standard input; nil for none.
    public var command: [String]?
    /// Time one delivery may take (a webhook's connect and answer, a command's run).
    public var timeoutMs: Int
    /// Entries waiting for delivery at most; beyond that an entry is dropped and counted.
    public var queueLimit: Int
    /// Attempts per webhook delivery before the entry is dropped and counted.
    public var attempts: Int

    /// A notification section; the defaults are 5000 ms, 1000 entries and 5 attempts.
    public init(webhooks: [WebhookURL] = [], command: [String]? = nil, timeoutMs: Int = 5_000,
                queueLimit: Int = 1_000, attempts: Int = 5) {
        self.webhooks = webhooks
        self.command = command
        self.timeoutMs = timeoutMs
        self.queueLimit = queueLimit
        self.attempts = attempts
    }
}

/// A webhook's address, split once at load time so delivery never parses a URL.
public struct WebhookURL: Sendable, Equatable, CustomStringConvertible {
    /// Host name or IP literal (no brackets), and the TCP port.
    public var host: String
    public var port: UInt16
    /// The request target, starting with `/`.
    public var path: String
    /// The URL as written.
    public var description: String

    /// Parses `http://host[:port][/path]`; nil when it is not such a URL.
    public init?(_ text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard !authority.isEmpty, !authority.contains("@"),
              !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard let address = try? ServerAddress(parsing: hasPort ? authority : authority + ":80") else { return nil }
        host = address.host
        port = address.port
        self.path = path
        description = text
    }
}
