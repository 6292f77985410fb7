/// One problem in a configuration document: where it is and what was expected.
///
/// `path` is a JSON path such as `pools.canary.servers[0]`, `routes[2].match.header` or
/// `timeouts.client_idle_ms`; it is empty for problems with the document as a whole
/// (unreadable file, invalid JSON).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending value, or `""` for the whole document.
    public var path: String
    /// What is wrong and what to do, e.g. `expected an integer number of milliseconds, got "5s"`.
    public var message: String

    /// Creates an error at `path` (`""` for the whole document).
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `PATH: MESSAGE`, or just `MESSAGE` when the path is empty.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// Every problem found in one configuration source, reported together so that one run of
/// `turnout check` shows them all.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the configuration came from, usually its file path (`conf/turnout.json`).
    public var source: String
    /// The problems, in document order as far as the decoder can tell (never empty when thrown).
    public var errors: [ConfigError]

    /// Creates the error list for `source`.
    public init(source: String, errors: [ConfigError]) {
        self.source = source
        self.errors = errors
    }

    /// One line per error: `SOURCE: PATH: MESSAGE` (`SOURCE: MESSAGE` for document-level errors).
    public var description: String {
        errors.map { "\(source): \($0)" }.joined(separator: "\n")
    }
}
