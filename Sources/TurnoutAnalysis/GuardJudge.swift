import Glibc
import TurnoutMetrics

/// The judge of a guarded switch: is the pool switched to beyond the tolerances of `analysis`
/// when compared with the reference, the pool left's traffic before the switch?
///
/// Two fail tests, each an anytime-valid `RateBoundTest(.above)` over every look of the watch,
/// so looking every interval costs nothing in validity:
/// * **errors**: the new pool's error rate above the reference's rate at its upper bound plus
///   `max_error_rate_increase`;
/// * **latency**: the new pool's share of requests slower than (1 + `max_latency_increase`) ×
///   the reference's quantile at its upper bound, above 1 − quantile. A new pool whose quantile
///   is within the tolerance has at most that share above the line.
///
/// The budget 1 − `confidence` is halved between the two tests, and each half again between the
/// reference's bound (the reference is a sample) and the sequential test, so a new pool within
/// the tolerances is switched back with probability at most 1 − `confidence` over the whole
/// watch, however long. There are no pass tests: a watch that ends without a fail keeps the
/// switch. Pure: no I/O.
public struct GuardJudge: Sendable, Equatable, Codable {
    public let reference: PoolTraffic
    public let policy: AnalysisPolicy
    /// The quantile judged.
    public let quantile: Double
    /// The reference's error rate at its upper bound.
    public let referenceErrorBound: Double
    /// The error rate the new pool must not be shown above.
    public let errorLine: Double
    /// The reference's quantile at its upper bound, in nanoseconds.
    public let referenceLatencyBound: UInt64
    /// (1 + tolerance) × that, rounded up to a bucket bound: the latency line.
    public let latencyLine: UInt64
    var errorTest: RateBoundTest
    var latencyTest: RateBoundTest
    /// The new pool's traffic over the watch so far.
    public private(set) var requests: UInt64 = 0
    public private(set) var errors: UInt64 = 0
    public private(set) var aboveLine: UInt64 = 0
    public private(set) var latency = Histogram()

    /// Why a reference cannot be judged against.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        /// The requests the reference would need.
        public var required: UInt64

        public init(description: String, required: UInt64) {
            self.description = description
            self.required = required
        }
    }

    /// The fewest reference requests a guard with `policy` judges against: the analysis's
    /// `min_requests`, and enough for the quantile's upper bound.
    public static func requiredReferenceRequests(_ policy: AnalysisPolicy) -> UInt64 {
        let q = policy.latencyQuantiles.first ?? 0.99
        return max(policy.minRequests, PoolTraffic.requiredRequests(quantile: q, alpha: referenceAlpha(policy)))
    }

    /// Each bound's and each sequential test's share: a quarter of 1 − confidence.
    static func referenceAlpha(_ policy: AnalysisPolicy) -> Double { policy.alpha / 4 }

    /// A judge of the new pool against `reference`; refused when the reference is too small.
    public init(reference: PoolTraffic, policy: AnalysisPolicy) throws(Refusal) {
        let q = policy.latencyQuantiles.first ?? 0.99
        let alpha = Self.referenceAlpha(policy)
        let required = Self.requiredReferenceRequests(policy)
        guard reference.requests >= required, let latencyBound = reference.latency.count > 0
                ? reference.latencyUpperBound(quantile: q, alpha: alpha) : nil else {
            throw Refusal(description: "the reference has \(reference.requests) requests over \(Format.seconds(reference.seconds)); "
                + "judging the \(Format.quantileName(q)) needs at least \(required)", required: required)
        }
        self.reference = reference
        self.policy = policy
        quantile = q
        referenceErrorBound = reference.errorRateUpperBound(alpha: alpha)
        let tolerance: Double
        switch policy.errorTolerance {
        case .absolute(let a): tolerance = a
        case .relative(let r): tolerance = referenceErrorBound * r
        }
        errorLine = min(referenceErrorBound + tolerance, 1 - 1e-9)
        referenceLatencyBound = latencyBound
        latencyLine = HistogramLayout.bucketUpperBound(containing: UInt64((Double(latencyBound) * (1 + policy.latencyTolerance)).rounded(.up)))
        errorTest = RateBoundTest(direction: .above, bound: errorLine, alpha: alpha)
        latencyTest = RateBoundTest(direction: .above, bound: 1 - q, alpha: alpha)
    }

    /// What a look found.
    public enum Finding: Sendable, Equatable {
        case watching
        case errorRateBeyond
        case latencyBeyond
    }

    /// Adds one look at the new pool; the finding, which stays a fail once one test crossed.
    @discardableResult
    public mutating func observe(_ window: PoolWindow) -> Finding {
        requests &+= window.requests
        errors &+= window.errors
        latency.merge(window.latency)
        let above = window.latency.count(above: latencyLine)
        aboveLine &+= above
        errorTest.observe(requests: window.requests, errors: window.errors, dispersion: policy.dispersion)
        latencyTest.observe(requests: window.latency.count, errors: above, dispersion: policy.dispersion)
        return finding
    }

    public var finding: Finding {
        if errorTest.rejected { return .errorRateBeyond }
        if latencyTest.rejected { return .latencyBeyond }
        return .watching
    }

    /// Evidence against each line, and its threshold 1/α.
    public var errorEvidence: Double { errorTest.evidence }
    public var latencyEvidence: Double { latencyTest.evidence }
    public var threshold: Double { exp(errorTest.logThreshold) }

    /// The new pool's error rate so far; nil before any request.
    public var errorRate: Double? { requests == 0 ? nil : Double(errors) / Double(requests) }

    /// The new pool's share of requests above the latency line; nil before any.
    public var shareAboveLine: Double? { latency.count == 0 ? nil : Double(aboveLine) / Double(latency.count) }

    /// The new pool's error rate with its two-sided Wilson interval at the policy's confidence;
    /// nil before any request. For the report: the tests themselves are the sequential ones.
    public var errorRateInterval: ClosedRange<Double>? { Self.wilson(errors, requests, confidence: policy.confidence) }

    /// The new pool's share above the latency line with its interval, as `errorRateInterval`.
    public var shareAboveLineInterval: ClosedRange<Double>? { Self.wilson(aboveLine, latency.count, confidence: policy.confidence) }

    static func wilson(_ x: UInt64, _ n: UInt64, confidence: Double) -> ClosedRange<Double>? {
        guard n > 0 else { return nil }
        let z = PoolTraffic.normalQuantile(upperTail: (1 - confidence) / 2)
        let p = Double(x) / Double(n), m = Double(n)
        let center = (p + z * z / (2 * m)) / (1 + z * z / m)
        let half = z / (1 + z * z / m) * (p * (1 - p) / m + z * z / (4 * m * m)).squareRoot()
        return max(0, center - half)...min(1, center + half)
    }

    /// Why the judge is where it is, in words, naming the pools.
    public func reason(new: String, old: String) -> String {
        let q = Format.quantileName(quantile)
        switch finding {
        case .errorRateBeyond:
            return "\(new)'s error rate \(Format.percent(errorRate ?? 0)) is above \(old)'s \(Format.percent(reference.errorRate)) before the switch "
                + "by more than the tolerance (line \(Format.percent(errorLine))) (evidence \(Format.evidence(errorEvidence)) ≥ \(Format.evidence(threshold)))"
        case .latencyBeyond:
            let now = latency.value(atQuantile: quantile).map(Format.milliseconds) ?? "n/a"
            return "\(new)'s \(q) \(now) is above \(old)'s \(q) before the switch \(Format.milliseconds(referenceLatencyBound)) "
                + "by more than the tolerance: \(Format.percent(shareAboveLine ?? 0)) of \(new)'s requests are slower than "
                + "\(Format.milliseconds(latencyLine)) (evidence \(Format.evidence(latencyEvidence)) ≥ \(Format.evidence(threshold)))"
        case .watching:
            guard requests > 0 else { return "watching: no request to \(new) yet" }
            return "watching: \(new) error rate \(Format.percent(errorRate ?? 0)) (line \(Format.percent(errorLine))), "
                + "\(Format.percent(shareAboveLine ?? 0)) slower than \(Format.milliseconds(latencyLine)) (line \(Format.percent(1 - quantile))) "
                + "over \(requests) requests"
        }
    }
}
