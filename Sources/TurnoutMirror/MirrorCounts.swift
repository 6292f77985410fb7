import TurnoutMetrics

/// The shadow traffic's counts for one `MirrorKey`: copies, drops, failures, verdicts, the paths
/// that proved noisy, and the latency difference between shadow and primary.
///
/// Each worker keeps its own (shared-nothing, like its histograms) and the admin side sums them
/// with `add`. The histograms are allocated once, when a key's counts are first made; recording
/// then allocates nothing, except the first time a noisy path is seen (bounded by
/// `noisyPathLimit`). Copying a worker's counts to read them shares the histograms' storage, so
/// the worker's next `record` copies them once (per read, not per request).
public struct MirrorCounts: Sendable, Equatable {
    /// Distinct paths kept in `noisyPaths`; more would let a crawler grow the map without bound.
    public static let noisyPathLimit = 64
    /// The `noisyPaths` key that counts the paths beyond `noisyPathLimit`. Real request paths
    /// start with "/" (or are "*" or absolute URIs), so it cannot collide with one.
    public static let otherPaths = "(other paths)"

    /// Copies started.
    public var mirrored: Int
    /// Copies not made because the worker already held `max_in_flight` shadow exchanges, and
    /// copies started but given up because the client's request never arrived whole (the client
    /// left mid-body); the latter are counted in `mirrored` too.
    public var dropped: Int
    /// Requests whose body exceeded `max_body_bytes`: not mirrored (a declared length), or the
    /// copy abandoned as a chunked body grew past it (then counted in `mirrored` too).
    public var tooLarge: Int
    /// Failed shadow (or second primary) exchanges, indexed by `ShadowFailure`; always 4 long.
    /// Use `recordFailure(_:)` and `errors(_:)`.
    public internal(set) var shadowErrors: [Int]
    /// Verdicts recorded: the sum of the five verdict counts below.
    public var compared: Int
    public var matched: Int
    /// Status differences, of either kind.
    public var statusMismatch: Int
    /// The subset of `statusMismatch` whose status class differs too (200 vs 500, not 200 vs 204).
    public var statusClassMismatch: Int
    public var bodyMismatch: Int
    public var notCompared: Int
    public var noise: Int
    /// Noise verdicts per request path: the endpoints that are non-deterministic. At most
    /// `noisyPathLimit` distinct paths, the rest under `otherPaths`.
    public var noisyPaths: [String: Int]
    /// Shadow − primary latency in nanoseconds, when the shadow was as fast or slower.
    public var slower: Histogram
    /// Primary − shadow latency in nanoseconds, when the shadow was faster.
    public var faster: Histogram

    /// Empty counts.
    public init() {
        mirrored = 0
        dropped = 0
        tooLarge = 0
        shadowErrors = [Int](repeating: 0, count: ShadowFailure.allCases.count)
        compared = 0
        matched = 0
        statusMismatch = 0
        statusClassMismatch = 0
        bodyMismatch = 0
        notCompared = 0
        noise = 0
        noisyPaths = [:]
        slower = Histogram()
        faster = Histogram()
    }

    /// Counts one failed exchange.
    public mutating func recordFailure(_ failure: ShadowFailure) {
        shadowErrors[failure.index] &+= 1
    }

    /// Failed exchanges of one kind.
    public func errors(_ failure: ShadowFailure) -> Int {
        shadowErrors[failure.index]
    }

    /// Counts one verdict and the latency difference of its exchange (shadow − primary, in
    /// nanoseconds, negative when the shadow was faster). `path` is the request's path, used for
    /// `.noise` only: pass nil for the other verdicts so no String is made for them.
    public mutating func record(_ verdict: MirrorVerdict, latencyDifferenceNanoseconds: Int64, path: String?) {
        compared &+= 1
        switch verdict {
        case .matched:
            matched &+= 1
        case .statusMismatch(let sameClass):
            statusMismatch &+= 1
            if !sameClass { statusClassMismatch &+= 1 }
        case .bodyMismatch:
            bodyMismatch &+= 1
        case .notCompared:
            notCompared &+= 1
        case .noise:
            noise &+= 1
            if let path { countNoisyPath(path, 1) }
        }
        if latencyDifferenceNanoseconds >= 0 {
            slower.record(latencyDifferenceNanoseconds.magnitude)
        } else {
            faster.record(latencyDifferenceNanoseconds.magnitude)
        }
    }

    /// Adds another worker's counts. Noisy paths stay bounded: the other's paths are taken most
    /// frequent first (then by name, so the result does not depend on hashing order) until the
    /// limit, and the rest are added to `otherPaths`.
    public mutating func add(_ other: MirrorCounts) {
        mirrored &+= other.mirrored
        dropped &+= other.dropped
        tooLarge &+= other.tooLarge
        for failure in ShadowFailure.allCases {
            shadowErrors[failure.index] &+= other.errors(failure)
        }
        compared &+= other.compared
        matched &+= other.matched
        statusMismatch &+= other.statusMismatch
        statusClassMismatch &+= other.statusClassMismatch
        bodyMismatch &+= other.bodyMismatch
        notCompared &+= other.notCompared
        noise &+= other.noise
        let paths = other.noisyPaths.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (path, count) in paths { countNoisyPath(path, count) }
        slower.merge(other.slower)
        faster.merge(other.faster)
    }

    /// Adds `count` noise verdicts for `path`, under `otherPaths` once the map holds
    /// `noisyPathLimit` distinct paths.
    mutating func countNoisyPath(_ path: String, _ count: Int) {
        if noisyPaths[path] == nil, path != Self.otherPaths {
            let distinct = noisyPaths.count - (noisyPaths[Self.otherPaths] == nil ? 0 : 1)
            if distinct >= Self.noisyPathLimit {
                noisyPaths[Self.otherPaths, default: 0] &+= count
                return
            }
        }
        noisyPaths[path, default: 0] &+= count
    }
}
