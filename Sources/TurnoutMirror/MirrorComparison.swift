/// Compares a shadow's answer with the primary's (SPEC §10). Pure, so the rules are tested as a
/// table and the data path only supplies digests.
public enum MirrorComparison {
    /// The verdict for one mirrored request.
    ///
    /// With `secondPrimary` (the `noise` option), the two primaries are compared first: if they
    /// disagree — different statuses, or both bodies complete and different — the verdict is
    /// `.noise` whatever the shadow said. This is Diffy's rule: a difference the primary shows
    /// against itself is not the shadow's fault. Incomplete bodies cannot show disagreement, so
    /// they do not make noise. Otherwise the shadow is compared with the primary: status first
    /// (exact, then by class), then, only when both bodies are complete, length and digest.
    public static func verdict(primary: AnswerDigest, shadow: AnswerDigest, secondPrimary: AnswerDigest?) -> MirrorVerdict {
        if let second = secondPrimary, disagree(primary, second) {
            return .noise
        }
        if primary.status != shadow.status {
            return .statusMismatch(sameClass: primary.status / 100 == shadow.status / 100)
        }
        guard primary.complete, shadow.complete else { return .notCompared }
        if primary.bodyBytes != shadow.bodyBytes || primary.digest != shadow.digest {
            return .bodyMismatch
        }
        return .matched
    }

    /// Whether two answers that should be equal visibly differ.
    static func disagree(_ a: AnswerDigest, _ b: AnswerDigest) -> Bool {
        if a.status != b.status { return true }
        return a.complete && b.complete && (a.bodyBytes != b.bodyBytes || a.digest != b.digest)
    }
}
