/// Why a shadow exchange (or the second primary's, with the noise filter) failed. Shadow failures
/// only reach these counters; they never touch the client's exchange. The raw values are the
/// spelling in JSON.
public enum ShadowFailure: String, CaseIterable, Sendable {
    /// The connection to the shadow server could not be made.
    case connect
    /// The shadow server closed or reset the connection before a whole answer arrived.
    case reset
    /// The shadow server did not answer in time.
    case timeout
    /// The shadow server's answer was not valid HTTP/1.1.
    case invalid

    /// Position in `MirrorCounts.shadowErrors`. A switch rather than `allCases.firstIndex`, so
    /// counting a failure on the data path is a constant, not a search.
    @usableFromInline var index: Int {
        switch self {
        case .connect: 0
        case .reset: 1
        case .timeout: 2
        case .invalid: 3
        }
    }
}
