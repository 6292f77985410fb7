import Testing
@testable import TurnoutConfig

let distanceCases: [(a: String, b: String, distance: Int)] = [
    ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0),
    ("heatlh", "health", 1), ("ab", "ba", 1), ("kitten", "sitting", 3),
    ("intervl_ms", "interval_ms", 1), ("servers", "server", 1), ("canery", "canary", 1),
]

@Test("edit distance", arguments: distanceCases)
func editDistanceMatches(_ a: String, _ b: String, _ distance: Int) {
    #expect(editDistance(a, b) == distance)
    #expect(editDistance(b, a) == distance)
}

let hintCases: [(word: String, candidates: [String], hint: String?)] = [
    ("heatlh", ConfigDecoder.topLevelKeys, "health"),
    ("Listen", ConfigDecoder.topLevelKeys, "listen"),
    ("pool", ConfigDecoder.topLevelKeys, "pools"),
    ("frobnicate", ConfigDecoder.topLevelKeys, nil),
    ("x", ["on"], nil),
    ("splt", ["pool", "split"], "split"),
    ("round_robbin", ["round_robin", "least_request"], "round_robin"),
    ("client_idle", ["client_header_ms", "client_idle_ms"], "client_idle_ms"),
    ("max_header", ["max_connections", "max_header_bytes"], "max_header_bytes"),
    ("interval_m", ["interval_ms", "timeout_ms"], "interval_ms"),
]

@Test("did-you-mean hints", arguments: hintCases)
func hintIsClosestKnownName(_ word: String, _ candidates: [String], _ hint: String?) {
    #expect(closestMatch(to: word, in: candidates) == hint)
}
