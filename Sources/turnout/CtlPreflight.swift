import TurnoutAdmin

/// `turnout ctl switch SPLIT POOL --preflight PATH[=STATUS][~TEXT] …`: the preflight checks of a
/// switch's guard from the command line. The words are only split here; the admin API checks
/// them as it checks any body, and its refusal names the check by its JSON path.
enum CtlPreflight {
    /// One check's JSON: `/healthz` → `{"path": "/healthz"}`, `/api/version=200~2.4` →
    /// `{"path": "/api/version", "status": 200, "body_contains": "2.4"}`.
    ///
    /// `=STATUS` is `=` and three digits, at the end or before `~`; TEXT is whatever follows the
    /// first `~` after the path (or after `=STATUS`). So a path may hold `=` (`/ready?full=1`)
    /// and the text may hold anything; a path whose query ends in `=` and three digits takes an
    /// explicit status (`/x?code=200=200`), and a path with `~` takes one too (`/~me=200`).
    static func check(_ word: String) throws(UsageError) -> String {
        let bytes = Array(word.utf8)
        var pathEnd = bytes.count
        var status: String?
        var text: String?
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "="), i + 4 <= bytes.count,
               bytes[i + 1..<i + 4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
               i + 4 == bytes.count || bytes[i + 4] == UInt8(ascii: "~") {
                pathEnd = i
                status = String(decoding: bytes[i + 1..<i + 4], as: UTF8.self)
                if i + 4 < bytes.count { text = String(decoding: bytes[(i + 5)...], as: UTF8.self) }
                break
            }
            i += 1
        }
        if status == nil, let tilde = bytes.firstIndex(of: UInt8(ascii: "~")) {
            pathEnd = tilde
            text = String(decoding: bytes[(tilde + 1)...], as: UTF8.self)
        }
        let path = String(decoding: bytes[..<pathEnd], as: UTF8.self)
        guard !path.isEmpty else {
            throw UsageError("--preflight \"\(word)\": expected PATH[=STATUS][~TEXT], like /healthz, /healthz=200 or /api/version=200~2.4")
        }
        var fields = ["\"path\": \(jsonString(path))"]
        if let status { fields.append("\"status\": \(status)") }
        if let text { fields.append("\"body_contains\": \(jsonString(text))") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The `guard` member for `words` (one per `--preflight`) and `--guard`'s watch, or nil
    /// without either.
    static func guardMember(_ words: [String], watch: (watch: Int, baseline: Int?)? = nil) throws(UsageError) -> String? {
        var fields: [String] = []
        if !words.isEmpty {
            var checks: [String] = []
            for word in words { checks.append(try check(word)) }
            fields.append("\"preflight\": [" + checks.joined(separator: ", ") + "]")
        }
        if let watch {
            fields.append("\"watch_s\": \(watch.watch)")
            if let baseline = watch.baseline { fields.append("\"baseline_s\": \(baseline)") }
        }
        return fields.isEmpty ? nil : "\"guard\": {" + fields.joined(separator: ", ") + "}"
    }
}
