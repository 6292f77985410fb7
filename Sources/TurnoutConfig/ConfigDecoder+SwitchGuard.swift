/// The `guard` of a switch's body (SPEC §5), decoded as strictly as the configuration: every
/// problem is reported with its JSON path (`guard.preflight[1].status`).
extension ConfigDecoder {
    /// The keys of a guard: the checks before the switch and the watch after it.
    static let switchGuardKeys = ["preflight", "require_shadow", "watch_s", "baseline_s"]

    /// One guard; nil after reporting its problems.
    func decodeSwitchGuard(_ value: JSONValue, at path: JSONPath) -> SwitchGuard? {
        let errorsBefore = reader.errors.count
        let expected = "a guard such as {\"preflight\": [{\"path\": \"/healthz\", \"status\": 200}]}, {\"require_shadow\": {\"max_mismatch_rate\": 0.001, \"min_compared\": 1000}} or {\"watch_s\": 300}"
        guard let fields = reader.object(value, at: path, keys: Self.switchGuardKeys, expected: expected) else { return nil }
        if fields.members.isEmpty {
            reader.report(path, "expected at least one of \(listOfQuoted(Self.switchGuardKeys.filter { $0 != "baseline_s" }, conjunction: "or")) (an empty guard guards nothing; leave it out instead)")
        }
        var result = SwitchGuard()
        if let value = fields["preflight"] {
            result.preflight = decodePreflight(value, at: path.key("preflight"))
        }
        if let value = fields["require_shadow"] {
            result.requireShadow = decodeShadowRequirement(value, at: path.key("require_shadow"))
        }
        // The watch is decoded so that one body carries the whole guard; what it does after the
        // switch is the guarded switch's business, not the checks before it.
        if let value = fields["watch_s"] {
            result.watchSeconds = reader.integer(value, at: path.key("watch_s"), IntBounds(min: 1, max: 86_400, unit: "seconds", maxNote: "one day"))
        }
        if let value = fields["baseline_s"] {
            if fields["watch_s"] == nil {
                reader.report(path.key("baseline_s"), "baseline_s is the reference for watch_s; add \"watch_s\" or leave baseline_s out")
            } else {
                result.baselineSeconds = reader.integer(value, at: path.key("baseline_s"), IntBounds(min: 10, max: 3_600, unit: "seconds", maxNote: "one hour"))
            }
        } else if result.watchSeconds != nil {
            result.baselineSeconds = SwitchGuard.defaultBaselineSeconds
        }
        guard reader.errors.count == errorsBefore else { return nil }
        return result
    }

    /// `preflight`: 1 to 16 checks.
    private func decodePreflight(_ value: JSONValue, at path: JSONPath) -> [PreflightCheck] {
        guard let elements = reader.array(value, at: path, expected: "a list of checks such as [{\"path\": \"/healthz\", \"status\": 200}]") else { return [] }
        if elements.isEmpty {
            reader.report(path, "expected at least one check, e.g. [{\"path\": \"/healthz\", \"status\": 200}] (or leave preflight out)")
        }
        if elements.count > SwitchGuard.maxPreflightChecks {
            reader.report(path, "expected at most \(SwitchGuard.maxPreflightChecks) checks (each is a request to every server of the pool), got \(elements.count)")
            return []
        }
        var checks: [PreflightCheck] = []
        for (i, element) in elements.enumerated() {
            let checkPath = path.index(i)
            guard let fields = reader.object(element, at: checkPath, keys: ["path", "status", "body_contains"],
                                             expected: "a check such as {\"path\": \"/healthz\", \"status\": 200, \"body_contains\": \"ok\"}") else { continue }
            var target = ""
            if let value = reader.required(fields, "path", expected: "the request path, such as \"/healthz\""),
               let text = reader.string(value, at: checkPath.key("path"), expected: "a request path such as \"/healthz\"") {
                if let problem = Self.preflightPathProblem(text) {
                    reader.report(checkPath.key("path"), problem)
                } else {
                    target = text
                }
            }
            let status = reader.integer(fields, "status", default: PreflightCheck.defaultStatus, IntBounds(min: 100, max: 599))
            var contains: String?
            if let value = fields["body_contains"],
               let text = reader.string(value, at: checkPath.key("body_contains"), expected: "the text the body must contain") {
                if text.isEmpty {
                    reader.report(checkPath.key("body_contains"), "expected the text the body must contain, got an empty string (leave body_contains out to check the status only)")
                } else if text.utf8.count > SwitchGuard.maxBodyContainsBytes {
                    reader.report(checkPath.key("body_contains"), "expected at most \(SwitchGuard.maxBodyContainsBytes) bytes, got \(text.utf8.count)")
                } else {
                    contains = text
                }
            }
            checks.append(PreflightCheck(path: target, status: status, bodyContains: contains))
        }
        return checks
    }

    /// Why `path` cannot be sent as a request target, or nil: it is written into the request
    /// line as it is, so it must be `/` then visible ASCII (percent-encode the rest), without a
    /// fragment, which is never sent.
    static func preflightPathProblem(_ path: String) -> String? {
        guard path.utf8.first == UInt8(ascii: "/") else {
            return "expected a request path starting with \"/\", got \(quoted(path))"
        }
        guard path.utf8.count <= SwitchGuard.maxPathBytes else {
            return "expected at most \(SwitchGuard.maxPathBytes) bytes, got \(path.utf8.count)"
        }
        guard path.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return "expected a request path without spaces, control characters or non-ASCII (percent-encode them), got \(quoted(path))"
        }
        guard !path.contains("#") else {
            return "expected a request path without a fragment (\"#…\" is never sent), got \(quoted(path))"
        }
        return nil
    }

    /// `require_shadow`: `{"max_mismatch_rate": 0.001, "min_compared": 1000}`, both required.
    private func decodeShadowRequirement(_ value: JSONValue, at path: JSONPath) -> ShadowRequirement? {
        guard let fields = reader.object(value, at: path, keys: ["max_mismatch_rate", "min_compared"],
                                         expected: "an object such as {\"max_mismatch_rate\": 0.001, \"min_compared\": 1000}") else { return nil }
        let rate = reader.required(fields, "max_mismatch_rate", expected: "the largest share of mismatches allowed, from 0 to 1, such as 0.001").flatMap {
            reader.number($0, at: path.key("max_mismatch_rate"), DoubleBounds(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: true))
        }
        let minimum = reader.required(fields, "min_compared", expected: "the fewest compared answers that count, such as 1000").flatMap {
            reader.integer($0, at: path.key("min_compared"), .positive)
        }
        guard let rate, let minimum else { return nil }
        return ShadowRequirement(maxMismatchRate: rate, minCompared: minimum)
    }
}
