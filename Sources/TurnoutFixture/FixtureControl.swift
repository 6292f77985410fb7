import TurnoutHTTP

/// `/_fixture` on the fixture's own port: shows, or changes at run time, the behaviour of its
/// default route, so a person can play a slow or failing canary with a curl line:
///
///     curl -s http://127.0.0.1:9001/_fixture                                   # the behaviour
///     curl -s -X POST 'http://127.0.0.1:9001/_fixture?error_rate=0.2&latency_ms=50'
///     curl -s -X POST 'http://127.0.0.1:9003/_fixture?body_name=blue&diverge_prefix=/v2'
///
/// `POST` takes any subset of `latency_ms`, `jitter_ms` (0–3,600,000), `error_rate` (0–1),
/// `body_bytes` (0–2^30, or `null` for the name), `body_name` (what the body says, or `null` for
/// the fixture's name) and `diverge_prefix` (a path, or `null` for none); the others keep their
/// values. The two names are percent-decoded (`body_name=blue%20v1`). A malformed,
/// out-of-range, unknown or repeated parameter is refused whole with a 400 that names it, and
/// nothing changes.
enum FixtureControl: Equatable {
    /// `GET` (or `HEAD`) without parameters: answer with the behaviour in force.
    case show
    /// `POST`: apply the change, answer with the result.
    case change(FixtureBehaviorChange)
    /// Refused with this status and message (the parameter named first).
    case refused(status: Int, message: String)

    /// The route's path.
    static let path: StaticString = "/_fixture"
    /// The largest latency or jitter (one hour), as `turnout-bench upstream` allows.
    static let maxMs = 3_600_000
    /// The largest body (1 GiB), as `turnout-bench upstream` allows.
    static let maxBodyBytes = 1 << 30

    /// Decides what a request to `/_fixture` asks for.
    static func parse(method: HTTPMethod, query: UnsafeRawBufferPointer?) -> FixtureControl {
        switch method {
        case .get, .head:
            guard let query, !query.isEmpty else { return .show }
            return .refused(status: 400, message: "GET shows the behaviour; change it with POST /_fixture?\(String(decoding: query, as: UTF8.self))")
        case .post:
            break
        default:
            return .refused(status: 405, message: "/_fixture takes GET (show the behaviour) or POST (change it)")
        }
        var change = FixtureBehaviorChange()
        guard let query, !query.isEmpty else { return .change(change) }
        var seen: Set<String> = []
        for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let name = String(decoding: pair[pair.startIndex..<equals], as: UTF8.self)
            let value = equals == pair.endIndex ? "" : String(decoding: pair[(equals + 1)...], as: UTF8.self)
            guard seen.insert(name).inserted else { return refuse(name, "given twice") }
            switch name {
            case "latency_ms":
                guard let n = milliseconds(value) else { return refuse(name, "expected milliseconds from 0 to \(maxMs), got \"\(value)\"") }
                change.latencyMs = n
            case "jitter_ms":
                guard let n = milliseconds(value) else { return refuse(name, "expected milliseconds from 0 to \(maxMs), got \"\(value)\"") }
                change.jitterMs = n
            case "error_rate":
                guard let rate = fraction(value) else { return refuse(name, "expected a number from 0 to 1 such as 0.2, got \"\(value)\"") }
                change.errorRate = rate
            case "body_bytes":
                if value == "null" {
                    change.bodyBytes = .some(nil)
                } else if let n = integer(value), n <= maxBodyBytes {
                    change.bodyBytes = n
                } else {
                    return refuse(name, "expected a size from 0 to \(maxBodyBytes) bytes, or null for the name, got \"\(value)\"")
                }
            case "body_name":
                if value == "null" {
                    change.bodyName = .some(nil)
                } else {
                    guard let text = percentDecoded(value) else { return refuse(name, "malformed percent-encoding in \"\(value)\"") }
                    if let problem = FixtureBehavior.bodyNameProblem(text) { return refuse(name, problem + ", or null for the fixture's name") }
                    change.bodyName = text
                }
            case "diverge_prefix":
                if value == "null" {
                    change.divergePrefix = .some(nil)
                } else {
                    guard let text = percentDecoded(value) else { return refuse(name, "malformed percent-encoding in \"\(value)\"") }
                    if let problem = FixtureBehavior.divergePrefixProblem(text) { return refuse(name, problem + ", or null for none") }
                    change.divergePrefix = text
                }
            default:
                return .refused(status: 400, message: "unknown parameter \"\(name)\"; expected latency_ms, jitter_ms, error_rate, body_bytes, body_name or diverge_prefix")
            }
        }
        return .change(change)
    }

    private static func refuse(_ name: String, _ problem: String) -> FixtureControl {
        .refused(status: 400, message: "\(name): \(problem); nothing changed")
    }

    /// `value` with each `%XX` replaced by its byte; nil when a `%` is not followed by two hex
    /// digits or the result is not UTF-8.
    private static func percentDecoded(_ value: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = value.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `1*DIGIT` of at most 15 digits.
    private static func integer(_ text: String) -> Int? {
        Array(text.utf8).withUnsafeBytes { FixtureRoute.decimal($0) }
    }

    private static func milliseconds(_ text: String) -> Int? {
        guard let n = integer(text), n <= maxMs else { return nil }
        return n
    }

    /// `1*DIGIT ["." 1*DIGIT]` from 0 to 1: no sign, exponent, `nan` or `inf` gets through.
    private static func fraction(_ text: String) -> Double? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard text.utf8.count <= 20, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 &- 0x30 < 10 } }),
              let value = Double(text), value >= 0, value <= 1 else { return nil }
        return value
    }

    /// The behaviour as one line of JSON: what `GET` and a successful `POST` answer.
    static func json(name: String, _ behavior: FixtureBehavior) -> [UInt8] {
        var text = "{\"name\":"
        appendQuoted(name, to: &text)
        text += ",\"latency_ms\":\(behavior.latencyMs),\"jitter_ms\":\(behavior.jitterMs),\"error_rate\":\(behavior.errorRate)"
        text += ",\"body_bytes\":" + (behavior.bodyBytes.map { String($0) } ?? "null")
        text += ",\"body_name\":"
        appendQuotedOrNull(behavior.bodyName, to: &text)
        text += ",\"diverge_prefix\":"
        appendQuotedOrNull(behavior.divergePrefix, to: &text)
        text += "}\n"
        return Array(text.utf8)
    }

    private static func appendQuotedOrNull(_ text: String?, to out: inout String) {
        if let text { appendQuoted(text, to: &out) } else { out += "null" }
    }

    private static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// A change to a `FixtureBehavior`: nil fields keep their values.
struct FixtureBehaviorChange: Equatable {
    var latencyMs: Int?
    var jitterMs: Int?
    var errorRate: Double?
    /// nil keeps the body size; `.some(nil)` goes back to the name as the body.
    var bodyBytes: Int??
    /// nil keeps what the body says; `.some(nil)` goes back to the fixture's name.
    var bodyName: String??
    /// nil keeps the diverging prefix; `.some(nil)` makes no path diverge.
    var divergePrefix: String??

    /// `behavior` with this change applied.
    func applied(to behavior: FixtureBehavior) -> FixtureBehavior {
        var result = behavior
        if let latencyMs { result.latencyMs = latencyMs }
        if let jitterMs { result.jitterMs = jitterMs }
        if let errorRate { result.errorRate = errorRate }
        if let bodyBytes { result.bodyBytes = bodyBytes }
        if let bodyName { result.bodyName = bodyName }
        if let divergePrefix { result.divergePrefix = divergePrefix }
        return result
    }
}
