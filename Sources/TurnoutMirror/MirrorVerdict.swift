/// The outcome of comparing one shadow answer with the primary's, as `MirrorComparison` decides.
public enum MirrorVerdict: Sendable, Equatable {
    /// Same status, and both bodies complete with the same length and digest.
    case matched
    /// The statuses differ; `sameClass` when they share a class (200 vs 204), which is often
    /// benign, as opposed to 200 vs 500.
    case statusMismatch(sameClass: Bool)
    /// Same status, both bodies complete, but their lengths or digests differ.
    case bodyMismatch
    /// Same status, but a body exceeded the compare limit, so the bodies cannot be compared.
    case notCompared
    /// The two primaries disagreed with each other, so any difference of the shadow's is not
    /// evidence against it (the endpoint is non-deterministic: timestamps, ids, random order).
    case noise
}
