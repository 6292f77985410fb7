/// Why an etcd call failed. Each case's text is written for the operator who reads it in a log:
/// it names etcd, the endpoint and the call where they are known, and what went wrong.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No endpoint could be reached, or a connection broke: names the endpoints and the errno words.
    case unavailable(String)
    /// An endpoint did not answer within the call's timeout: names it and the call. After a write
    /// was sent this is all Turnout knows: it may have been applied, so re-read before retrying.
    case timeout(String)
    /// A watch or range asked for a revision etcd compacted away; `revision` is the oldest still
    /// available (0 when etcd did not say).
    case compacted(revision: Int64)
    /// etcd answered with an error: its gRPC status code and message.
    case server(code: Int, message: String)
    /// An answer Turnout cannot read, or an endpoint URL it cannot use: says what and where.
    case malformed(String)

    public var description: String {
        switch self {
        case .unavailable(let text), .timeout(let text):
            return Self.namingEtcd(text)
        case .compacted(let revision):
            return revision > 0
                ? "etcd compacted the requested revision away; the oldest revision still available is \(revision)"
                : "etcd compacted the requested revision away"
        case .server(let code, let message):
            return "etcd answered with an error: \(message) (gRPC \(Self.codeName(code)))"
        case .malformed(let text):
            return Self.namingEtcd(text)
        }
    }

    /// Whether etcd refused for a reason another member may not share (no leader, leader changed,
    /// overloaded): gRPC UNAVAILABLE. A read may try another endpoint; a write may not, because
    /// "request timed out" is UNAVAILABLE too and the write may still be applied.
    public var isUnavailableOnServer: Bool {
        if case .server(let code, _) = self { return code == 14 }
        return false
    }

    /// The text as given when it already names etcd, else with "etcd: " in front.
    static func namingEtcd(_ text: String) -> String {
        text.contains("etcd") ? text : "etcd: \(text)"
    }

    /// The gRPC status name of `code` (google.golang.org/grpc/codes), with the number.
    static func codeName(_ code: Int) -> String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                     "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
                     "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]
        return names.indices.contains(code) ? "\(names[code]), code \(code)" : "code \(code)"
    }
}
