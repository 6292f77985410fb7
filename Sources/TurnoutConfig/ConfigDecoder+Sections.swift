import TurnoutRollout

/// The small sections with defaults for every field: admin, health, outlier, retries, mirror,
/// analysis, timeouts, limits. An absent section takes every default; a present one may set
/// any subset of its fields.
extension ConfigDecoder {
    /// `admin`: the Unix socket, the optional TCP listener (non-loopback needs a token file).
    func decodeAdmin(_ top: Fields) -> AdminConfig {
        var admin = AdminConfig()
        guard let fields = reader.section(top, "admin", keys: ["socket", "listen", "token_file"]) else { return admin }
        admin.socket = reader.optionalString(fields, "socket", default: admin.socket, expected: "a Unix socket path")
        admin.tokenFile = reader.optionalString(fields, "token_file", default: nil, expected: "a file path")
        if let listen = fields["listen"], listen != .null {
            let path = fields.path.key("listen")
            if let text = reader.string(listen, at: path, expected: "an address string such as \"127.0.0.1:9900\" or null"),
                let address = address(text, at: path, allowingPortZero: true)
            {
                admin.listen = address
                if !address.isLoopback && admin.tokenFile == nil {
                    reader.report(path, "\(address) is reachable from other machines, so the admin API needs a token: "
                        + "set admin.token_file, or listen on a loopback address (127.0.0.1, [::1], localhost)")
                }
            }
        }
        return admin
    }

    /// `health`: the check path and its interval, timeout, rise and fall.
    func decodeHealth(_ top: Fields) -> HealthConfig {
        var health = HealthConfig()
        guard let fields = reader.section(top, "health", keys: ["path", "interval_ms", "timeout_ms", "rise", "fall"]) else { return health }
        let path = reader.nonEmptyString(fields, "path", default: health.path, expected: "a request path such as \"/healthz\"")
        if !path.hasPrefix("/") || path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            reader.report(fields.path.key("path"),
                "expected a request path starting with \"/\" without spaces or control characters, got \(quoted(path))")
        } else {
            health.path = path
        }
        health.intervalMs = reader.integer(fields, "interval_ms", default: health.intervalMs, .positiveMs)
        health.timeoutMs = reader.integer(fields, "timeout_ms", default: health.timeoutMs, .positiveMs)
        health.rise = reader.integer(fields, "rise", default: health.rise, .positive)
        health.fall = reader.integer(fields, "fall", default: health.fall, .positive)
        return health
    }

    /// `outlier`: failures before ejection and the first ejection's length.
    func decodeOutlier(_ top: Fields) -> OutlierConfig {
        var outlier = OutlierConfig()
        guard let fields = reader.section(top, "outlier", keys: ["consecutive_failures", "eject_ms"]) else { return outlier }
        outlier.consecutiveFailures = reader.integer(fields, "consecutive_failures", default: outlier.consecutiveFailures, .positive)
        outlier.ejectMs = reader.integer(fields, "eject_ms", default: outlier.ejectMs, .positiveMs)
        return outlier
    }

    /// `retries`: how many retries, and on which failures (distinct).
    func decodeRetries(_ top: Fields) -> RetryConfig {
        var retries = RetryConfig()
        guard let fields = reader.section(top, "retries", keys: ["attempts", "on"]) else { return retries }
        retries.attempts = reader.integer(fields, "attempts", default: retries.attempts,
            IntBounds(min: 0, max: 10, maxNote: "retries multiply the load on a failing pool"))
        if let on = fields["on"] {
            let path = fields.path.key("on")
            let names = RetryCondition.allCases.map(\.rawValue)
            if let elements = reader.array(on, at: path, expected: "a list of conditions from \(listOfQuoted(names, conjunction: "and"))") {
                var conditions: [RetryCondition] = []
                for (i, element) in elements.enumerated() {
                    guard let condition = reader.choice(element, at: path.index(i), RetryCondition.allCases.map { ($0.rawValue, $0) })
                    else { continue }
                    if conditions.contains(condition) {
                        reader.report(path.index(i), "\(quoted(condition.rawValue)) is listed twice")
                        continue
                    }
                    conditions.append(condition)
                }
                retries.on = conditions
            }
        }
        return retries
    }

    /// The keys of a mirror object (the top-level one, or a route's).
    static let mirrorKeys = ["pool", "percent", "methods", "compare", "noise", "max_body_bytes", "max_in_flight", "compare_body_bytes"]

    /// The bounds of `max_body_bytes` and `compare_body_bytes`: a request body is held for the
    /// copy, and a response body is read for its digest, so both stay far from memory exhaustion.
    private static let mirrorBodyBounds = IntBounds(min: 0, max: 1 << 30, unit: "bytes", maxNote: "1 GiB")

    /// The top-level `mirror`: absent or null (off), or a mirror object.
    func decodeMirror(_ top: Fields) -> MirrorConfig? {
        guard let value = top["mirror"], value != .null else { return nil }
        return decodeMirror(value, at: top.path.key("mirror"))
    }

    /// A mirror object at `path` (`mirror`, `routes[2].mirror`): the shadow pool, the share
    /// copied, the methods, `compare` and `noise`, and the body and in-flight limits.
    /// The caller handles `null`, which means off at the top level and opt-out on a route.
    func decodeMirror(_ value: JSONValue, at path: JSONPath) -> MirrorConfig? {
        guard let fields = reader.object(value, at: path, keys: Self.mirrorKeys,
            expected: "null or an object such as {\"pool\": \"green\", \"percent\": 5}")
        else { return nil }
        var mirror = MirrorConfig(pool: "", percent: 0)
        if let pool = reader.required(fields, "pool", expected: "the name of the shadow pool"),
            let name = reader.string(pool, at: path.key("pool"), expected: "a pool name")
        {
            checkPoolReference(name, at: path.key("pool"))
            mirror.pool = name
        }
        if let percent = reader.required(fields, "percent", expected: "the share of requests to copy, 0 to 100") {
            let bounds = DoubleBounds(lower: 0, lowerInclusive: true, upper: 100, upperInclusive: true)
            mirror.percent = reader.number(percent, at: path.key("percent"), bounds) ?? 0
        }
        if let methods = fields["methods"] {
            mirror.methods = decodeMethods(methods, at: path.key("methods"))
        }
        mirror.compare = reader.bool(fields, "compare", default: false)
        mirror.noise = reader.bool(fields, "noise", default: false)
        // Only when `compare` is really false: a mistyped `compare` is already reported.
        if mirror.noise && (fields["compare"] == nil || fields["compare"] == .bool(false)) {
            reader.report(path.key("noise"), "noise filtering needs \"compare\": true (the second primary's answer "
                + "only matters to the comparison); set \"compare\": true or remove \"noise\"")
        }
        mirror.maxBodyBytes = reader.integer(fields, "max_body_bytes", default: mirror.maxBodyBytes, Self.mirrorBodyBounds)
        mirror.maxInFlight = reader.integer(fields, "max_in_flight", default: mirror.maxInFlight,
            IntBounds(min: 1, max: 100_000, maxNote: "shadow exchanges per worker"))
        mirror.compareBodyBytes = reader.integer(fields, "compare_body_bytes", default: mirror.compareBodyBytes, Self.mirrorBodyBounds)
        return mirror
    }

    /// A non-empty list of distinct uppercase method tokens.
    private func decodeMethods(_ value: JSONValue, at path: JSONPath) -> [String] {
        let expected = "a non-empty list of methods such as [\"GET\", \"HEAD\"]"
        guard let elements = reader.array(value, at: path, expected: expected) else { return [] }
        if elements.isEmpty {
            reader.report(path, "expected \(expected), got an empty list (to mirror nothing, set \"mirror\": null)")
        }
        var methods: [String] = []
        for (i, element) in elements.enumerated() {
            guard let method = reader.string(element, at: path.index(i), expected: "a method such as \"GET\"") else { continue }
            if !HTTPToken.isUppercase(method) {
                reader.report(path.index(i), "expected an uppercase method token such as \"GET\", got \(quoted(method))")
            } else if methods.contains(method) {
                reader.report(path.index(i), "\(quoted(method)) is listed twice")
            } else {
                methods.append(method)
            }
        }
        return methods
    }

    /// `analysis`: the canary analyzer's confidence and tolerances, and a release's pace.
    func decodeAnalysis(_ top: Fields) -> AnalysisSettings {
        guard let fields = reader.section(top, "analysis", keys: Self.analysisKeys) else { return AnalysisSettings() }
        return decodeAnalysisFields(fields, over: AnalysisSettings())
    }

    /// The keys of an `analysis` block (the configuration's, or a rollout's overrides).
    static let analysisKeys = ["confidence", "max_error_rate_increase", "max_latency_increase", "latency_quantile", "min_requests",
                               "interval_ms", "warmup_s", "max_step_s"]

    /// The fields of an `analysis` block, each one replacing its value in `base`.
    func decodeAnalysisFields(_ fields: Fields, over base: AnalysisSettings) -> AnalysisSettings {
        var analysis = base
        analysis.confidence = reader.number(fields, "confidence", default: analysis.confidence,
            DoubleBounds(lower: 0.5, lowerInclusive: false, upper: 1))
        analysis.maxErrorRateIncrease = reader.number(fields, "max_error_rate_increase", default: analysis.maxErrorRateIncrease,
            DoubleBounds(lower: 0, lowerInclusive: true, upper: 1))
        analysis.maxLatencyIncrease = reader.number(fields, "max_latency_increase", default: analysis.maxLatencyIncrease,
            DoubleBounds(lower: 0, lowerInclusive: true, upper: nil))
        analysis.latencyQuantile = reader.number(fields, "latency_quantile", default: analysis.latencyQuantile,
            DoubleBounds(lower: 0, lowerInclusive: false, upper: 1))
        analysis.minRequests = reader.integer(fields, "min_requests", default: analysis.minRequests, .positive)
        analysis.intervalMs = reader.integer(fields, "interval_ms", default: analysis.intervalMs,
            IntBounds(min: 100, max: 60_000, unit: "milliseconds", maxNote: "a look a minute at least"))
        analysis.warmupSeconds = reader.integer(fields, "warmup_s", default: analysis.warmupSeconds,
            IntBounds(min: 0, max: 3_600, unit: "seconds", maxNote: "one hour"))
        analysis.maxStepSeconds = reader.integer(fields, "max_step_s", default: analysis.maxStepSeconds,
            IntBounds(min: 1, max: 604_800, unit: "seconds", maxNote: "one week"))
        return analysis
    }

    /// `timeouts`: all positive but `drain_ms`, where 0 means close at once.
    func decodeTimeouts(_ top: Fields) -> TimeoutConfig {
        var timeouts = TimeoutConfig()
        let keys = ["client_header_ms", "client_idle_ms", "upstream_connect_ms", "upstream_response_ms", "drain_ms"]
        guard let fields = reader.section(top, "timeouts", keys: keys) else { return timeouts }
        timeouts.clientHeaderMs = reader.integer(fields, "client_header_ms", default: timeouts.clientHeaderMs, .positiveMs)
        timeouts.clientIdleMs = reader.integer(fields, "client_idle_ms", default: timeouts.clientIdleMs, .positiveMs)
        timeouts.upstreamConnectMs = reader.integer(fields, "upstream_connect_ms", default: timeouts.upstreamConnectMs, .positiveMs)
        timeouts.upstreamResponseMs = reader.integer(fields, "upstream_response_ms", default: timeouts.upstreamResponseMs, .positiveMs)
        timeouts.drainMs = reader.integer(fields, "drain_ms", default: timeouts.drainMs, .nonNegativeMs)
        return timeouts
    }

    /// `limits`: connections, head and body sizes.
    func decodeLimits(_ top: Fields) -> LimitConfig {
        var limits = LimitConfig()
        let keys = ["max_connections", "max_header_bytes", "max_body_bytes"]
        guard let fields = reader.section(top, "limits", keys: keys) else { return limits }
        limits.maxConnections = reader.integer(fields, "max_connections", default: limits.maxConnections, .positive)
        limits.maxHeaderBytes = reader.integer(fields, "max_header_bytes", default: limits.maxHeaderBytes,
            IntBounds(min: 1024, max: 1 << 20, unit: "bytes", maxNote: "1 MiB; it sizes per-connection buffers"))
        limits.maxBodyBytes = reader.integer(fields, "max_body_bytes", default: limits.maxBodyBytes, IntBounds(min: 0, unit: "bytes"))
        return limits
    }
}
