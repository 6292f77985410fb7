/// What a fixture upstream does on its default route: how long it waits before answering, how
/// often it fails, what its answer says, and where it answers like a different version. Tests and
/// `turnout-bench upstream` change it at run time with `FixtureUpstream.setBehavior(_:)` to play a
/// slow or failing canary, or a shadow that answers like the primary except on some endpoints.
public struct FixtureBehavior: Sendable, Equatable {
    /// Milliseconds to wait before answering (a timer on the loop, never a sleep).
    public var latencyMs: Int
    /// Each answer waits `latencyMs` plus a uniform random offset in `-jitterMs...jitterMs`
    /// (never less than zero in total).
    public var jitterMs: Int
    /// The probability, from 0 to 1, that an answer is a 500 instead of a 200.
    public var errorRate: Double
    /// The size of a 200's body, filled with a fixed pattern; nil means the body is `"<bodyName>\n"`.
    public var bodyBytes: Int?
    /// What the default route's body says (`"<bodyName>\n"`); nil means the fixture's own name.
    /// A shadow named `green` with `bodyName` `blue` answers byte for byte like the primary `blue`
    /// (only its `X-Fixture-Name` field tells them apart).
    public var bodyName: String?
    /// Paths that start with this (byte for byte, `/v2` also matches `/v2x`) answer unlike the
    /// rest, as a new version that changed some endpoints would: the body is
    /// `"<bodyName> (diverged)\n"` (whatever `bodyBytes` says), and a path that also ends in
    /// `/status` (`/v2/status`) answers 500 instead of 200. nil: no path diverges.
    public var divergePrefix: String?

    /// A behaviour; the defaults answer at once, never fail, say the fixture's name, and never diverge.
    public init(latencyMs: Int = 0, jitterMs: Int = 0, errorRate: Double = 0, bodyBytes: Int? = nil,
                bodyName: String? = nil, divergePrefix: String? = nil) {
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.errorRate = errorRate
        self.bodyBytes = bodyBytes
        self.bodyName = bodyName
        self.divergePrefix = divergePrefix
    }

    /// The delay of one answer in nanoseconds, drawing the jitter from `random`.
    func delayNanoseconds(using random: inout FixtureRandom) -> UInt64 {
        var ms = max(latencyMs, 0)
        if jitterMs > 0 {
            ms += random.next(below: 2 * jitterMs + 1) - jitterMs
        }
        return UInt64(max(ms, 0)) &* 1_000_000
    }

    /// Whether this answer should be a 500.
    func shouldFail(using random: inout FixtureRandom) -> Bool {
        errorRate > 0 && random.nextUnitInterval() < errorRate
    }
}

extension FixtureBehavior {
    /// The longest `bodyName` a flag or `/_fixture` accepts, in UTF-8 bytes.
    public static let maxBodyNameBytes = 256
    /// The longest `divergePrefix` a flag or `/_fixture` accepts, in bytes.
    public static let maxDivergePrefixBytes = 1024

    /// Why `name` cannot be a `bodyName` given by a person (`--body-name`, `/_fixture`), or nil
    /// when it can: 1 to 256 bytes of UTF-8 without control characters, so the body stays one line.
    public static func bodyNameProblem(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= maxBodyNameBytes else {
            return "expected 1 to \(maxBodyNameBytes) bytes, got \(name.utf8.count)"
        }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return "a control character cannot be part of the body's one line"
        }
        return nil
    }

    /// Why `prefix` cannot be a `divergePrefix` given by a person (`--diverge-prefix`,
    /// `/_fixture`), or nil when it can: a path as it appears in the request line (it is compared
    /// with the raw bytes), that is `/` then visible ASCII without `?` or `#`, up to 1,024 bytes.
    public static func divergePrefixProblem(_ prefix: String) -> String? {
        guard prefix.utf8.first == UInt8(ascii: "/") else { return "expected a path starting with /, got \"\(prefix)\"" }
        guard prefix.utf8.count <= maxDivergePrefixBytes else { return "expected at most \(maxDivergePrefixBytes) bytes, got \(prefix.utf8.count)" }
        guard prefix.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }) else {
            return "expected visible ASCII without ? or # (a path as sent on the wire), got \"\(prefix)\""
        }
        return nil
    }
}
