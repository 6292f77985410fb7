/// The candidate nearest to `word` within edit distance 2, for "did you mean …?" hints.
///
/// The distance is optimal string alignment (Levenshtein plus adjacent transposition, so
/// `heatlh` → `health` is 1), compared case-insensitively first. A candidate must also be
/// closer than `word` is long, so `x` does not suggest `on`. Ties go to the earlier candidate.
/// A key missing only its unit suffix (`client_idle` for `client_idle_ms`, `max_header` for
/// `max_header_bytes`) is also suggested, after any candidate within distance 2.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        var distance = editDistance(lowered, candidate.lowercased())
        if distance > 2 && !lowered.isEmpty && candidate.lowercased().hasPrefix(lowered + "_") {
            distance = 3
        } else if distance > 2 || distance >= word.count {
            continue
        }
        if best == nil || distance < best!.distance {
            best = (candidate, distance)
        }
    }
    return best?.name
}

/// Optimal string alignment distance between two strings, over Unicode scalars.
func editDistance(_ a: String, _ b: String) -> Int {
    let s = Array(a.unicodeScalars), t = Array(b.unicodeScalars)
    if s.isEmpty { return t.count }
    if t.isEmpty { return s.count }
    // Three rows suffice: the transposition looks two rows back.
    var before = [Int](repeating: 0, count: t.count + 1)
    var previous = Array(0...t.count)
    var current = [Int](repeating: 0, count: t.count + 1)
    for i in 1...s.count {
        current[0] = i
        for j in 1...t.count {
            let cost = s[i - 1] == t[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                value = min(value, before[j - 2] + 1)
            }
            current[j] = value
        }
        (before, previous, current) = (previous, current, before)
    }
    return previous[t.count]
}
