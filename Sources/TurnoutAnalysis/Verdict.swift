/// The analyzer's decision after a look.
public enum Verdict: String, Sendable, Equatable, Codable {
    /// Evidence that the canary is worse than baseline: roll back.
    case fail
    /// The step's hold and `min_requests` are met and the canary is shown to be within every
    /// tolerance: advance (or promote after the last step).
    case pass
    /// Not enough evidence either way yet: keep the weight and look again.
    case `continue`
}
