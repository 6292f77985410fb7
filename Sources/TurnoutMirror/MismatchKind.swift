/// Which difference a recorded mismatch shows; the raw values are the spelling in JSON.
public enum MismatchKind: String, Sendable, Codable {
    /// The statuses differ.
    case status
    /// Same status, different bodies.
    case body
    /// Same status, but a body was over the compare limit: kept so a person can see what could
    /// not be compared.
    case notCompared = "not_compared"
}
