/// The `guard` of a blue-green switch (SPEC §5, `POST /splits/NAME/switch`): what to check
/// before the switch is applied (`preflight`, `require_shadow`) and how to judge the new pool
/// after it (`watch_s`, `baseline_s`). One object holds both halves so that a switch can ask for
/// either or both.
public struct SwitchGuard: Sendable, Equatable {
    /// Requests sent straight to every server of the target pool before the switch; empty
    /// when the guard asks for none.
    public var preflight: [PreflightCheck]
    /// The shadow comparison the target pool must have passed, or nil.
    public var requireShadow: ShadowRequirement?
    /// `watch_s`: how long to judge the new pool after the switch, 1...86,400 s, or nil.
    /// Decoded here only; the watch after the switch is wired by the guarded switch's own
    /// code, not by the checks before it.
    public var watchSeconds: Int?
    /// `baseline_s`: how much of the old pool's traffic is the reference, 10...3,600 s (300
    /// when `watch_s` is given without it); nil without `watch_s`. Decoded here only, like
    /// `watchSeconds`.
    public var baselineSeconds: Int?

    /// Most preflight checks one switch may carry: each is one request to every server.
    public static let maxPreflightChecks = 16
    /// The longest `body_contains`, in UTF-8 bytes.
    public static let maxBodyContainsBytes = 1024
    /// The longest preflight path, in bytes (a request line must fit the server's limits).
    public static let maxPathBytes = 2048
    /// The `baseline_s` a watch takes when the guard does not say.
    public static let defaultBaselineSeconds = 300

    public init(preflight: [PreflightCheck] = [], requireShadow: ShadowRequirement? = nil,
                watchSeconds: Int? = nil, baselineSeconds: Int? = nil) {
        self.preflight = preflight
        self.requireShadow = requireShadow
        self.watchSeconds = watchSeconds
        self.baselineSeconds = baselineSeconds
    }

    /// Whether anything must pass before the switch is applied.
    public var checksBeforeSwitch: Bool { !preflight.isEmpty || requireShadow != nil }
}

/// One preflight request: `GET path` must answer `status`, and its body (the first 64 KiB)
/// contain `bodyContains` when given.
public struct PreflightCheck: Sendable, Equatable, CustomStringConvertible {
    /// The request target, starting with `/`, visible ASCII only (a query is allowed).
    public var path: String
    /// The status expected, exactly, 100...599.
    public var status: Int
    /// Text the body must contain, byte for byte, or nil.
    public var bodyContains: String?

    /// The status a check expects when it does not say.
    public static let defaultStatus = 200

    public init(path: String, status: Int = PreflightCheck.defaultStatus, bodyContains: String? = nil) {
        self.path = path
        self.status = status
        self.bodyContains = bodyContains
    }

    /// The request as messages name it: `GET /healthz`.
    public var description: String { "GET \(path)" }
}

/// `require_shadow`: the mirror's comparison of the target pool must hold at least
/// `minCompared` compared answers, of which at most `maxMismatchRate` mismatched.
public struct ShadowRequirement: Sendable, Equatable {
    /// The largest share of mismatches allowed, 0...1 (0.001 is one in a thousand).
    public var maxMismatchRate: Double
    /// The fewest compared answers that count as evidence, ≥ 1.
    public var minCompared: Int

    public init(maxMismatchRate: Double, minCompared: Int) {
        self.maxMismatchRate = maxMismatchRate
        self.minCompared = minCompared
    }
}
