import TurnoutAnalysis
import TurnoutRollout

/// `GET /splits/NAME/rollout` (SPEC §6 and §9), also the answer of starting a rollout and of its
/// verbs: the definition, where it stands, the plan check it started from, and the analysis.
public struct RolloutDocument: Codable, Sendable, Equatable {
    public var split: String
    public var state: RolloutPhase
    public var baseline: String
    public var canary: String
    public var advance: AdvanceMode
    /// The current step, from 1.
    public var step: Int
    public var steps: [RolloutStepDocument]
    /// The split's weights in force.
    public var weights: [String: Int]
    public var canaryWeight: Int
    /// RFC 3339 in UTC with milliseconds; `finishedAt` null while it runs.
    public var startedAt: String
    @Nullable public var finishedAt: String?
    /// Seconds in the current step (up to the finish), to a tenth.
    public var timeInStep: Double
    public var warmingUp: Bool
    /// Why the rollout is where it is, in words.
    public var reason: String
    public var looks: Int
    /// Always written; optional so that `ctl` still reads a turnout from before plans were
    /// checked (it then shows no plan line).
    public var planCheck: PlanCheckDocument?
    public var analysis: AnalysisDocument

    enum CodingKeys: String, CodingKey {
        case split, state, baseline, canary, advance, step, steps, weights, canaryWeight = "canary_weight",
             startedAt = "started_at", finishedAt = "finished_at", timeInStep = "time_in_step_s", warmingUp = "warming_up",
             reason, looks, planCheck = "plan_check", analysis
    }
}

/// One step of a rollout's plan: `{"pause": true}` or `{"weight": 25, "hold_s": 120}`, and
/// whether it is the current one.
public struct RolloutStepDocument: Codable, Sendable, Equatable {
    public var step: RolloutStep
    public var current: Bool

    enum CodingKeys: String, CodingKey {
        case pause, weight, holdSeconds = "hold_s", current
    }

    public init(step: RolloutStep, current: Bool) {
        self.step = step
        self.current = current
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decodeIfPresent(Bool.self, forKey: .pause) == true {
            step = .pause
        } else {
            step = .weight(try container.decode(Int.self, forKey: .weight), holdSeconds: try container.decode(Int.self, forKey: .holdSeconds))
        }
        current = try container.decode(Bool.self, forKey: .current)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch step {
        case .pause:
            try container.encode(true, forKey: .pause)
        case .weight(let percent, let hold):
            try container.encode(percent, forKey: .weight)
            try container.encode(hold, forKey: .holdSeconds)
        }
        try container.encode(current, forKey: .current)
    }
}

/// A rollout in one line: the `rollout` of a split in `/status` and in the split's answers.
public struct RolloutSummary: Codable, Sendable, Equatable {
    public var state: RolloutPhase
    public var baseline: String
    public var canary: String
    /// The current step, from 1, of `steps`.
    public var step: Int
    public var steps: Int
    public var canaryWeight: Int
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case state, baseline, canary, step, steps, canaryWeight = "canary_weight", reason
    }
}

/// The report's `analysis`: the decision, the step's requests, the latency thresholds, each
/// metric's tests, and the settings in force.
public struct AnalysisDocument: Codable, Sendable, Equatable {
    public var decision: RolloutDecision
    /// The analyzer's reason; the rollout's own once it finished or while it warms up.
    public var reason: String
    public var stepSeconds: Double
    public var canaryRequests: UInt64
    public var baselineRequests: UInt64
    /// Empty while they are measured.
    public var latencyThresholds: [LatencyThresholdDocument]
    public var metrics: [MetricDocument]
    public var settings: AnalysisSettingsDocument

    enum CodingKeys: String, CodingKey {
        case decision, reason, stepSeconds = "step_seconds", canaryRequests = "canary_requests", baselineRequests = "baseline_requests",
             latencyThresholds = "latency_thresholds_ms", metrics, settings
    }
}

/// The report's decision: the analyzer's verdict while the rollout runs, how it ended once it
/// finished. The raw values are the wire names.
public enum RolloutDecision: String, Codable, Sendable, Equatable, CaseIterable {
    case pass, fail, `continue`, promoted, aborted
    /// The analyzer ignores the first traffic of the canary.
    case warmingUp = "warming_up"

    init(_ verdict: Verdict) {
        switch verdict {
        case .pass: self = .pass
        case .fail: self = .fail
        case .continue: self = .continue
        }
    }
}

/// A latency test's thresholds in milliseconds: the baseline's quantile, and (1 + tolerance) ×
/// that rounded down (`pass`) and up (`fail`) to a histogram bound.
public struct LatencyThresholdDocument: Codable, Sendable, Equatable {
    public var quantile: Double
    public var baseline: Double
    public var fail: Double
    public var pass: Double
}

/// One metric's tests (`error_rate`, `latency_p99`).
public struct MetricDocument: Codable, Sendable, Equatable {
    public var name: String
    /// The metric's own verdict: failed, shown within tolerance this step, or undecided.
    public var verdict: Verdict
    public var canary: EstimateDocument
    public var baseline: EstimateDocument
    /// Canary over baseline; null before any event.
    @Nullable public var ratio: Double?
    public var interval: RatioInterval
    /// The beyond-tolerance test's evidence and the threshold at which it fails.
    public var evidence: Double
    public var threshold: Double
    /// The within-tolerance test's evidence, threshold and the tolerance it proves.
    public var passEvidence: Double
    public var passThreshold: Double
    public var passMargin: Double
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case name, verdict, canary, baseline, ratio, interval, evidence, threshold, passEvidence = "pass_evidence",
             passThreshold = "pass_threshold", passMargin = "pass_margin", summary
    }
}

/// `{"estimate": 0.0123}`.
public struct EstimateDocument: Codable, Sendable, Equatable {
    public var estimate: Double
}

/// The ratio's anytime-valid interval as `[lower, upper]`; upper is null while it has no bound
/// (no canary events yet).
public struct RatioInterval: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double?

    public init(lower: Double, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lower = try container.decode(Double.self)
        upper = try container.decodeNil() ? nil : try container.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(lower)
        if let upper { try container.encode(upper) } else { try container.encodeNil() }
    }
}

/// The analysis settings in force for the rollout.
public struct AnalysisSettingsDocument: Codable, Sendable, Equatable {
    public var confidence: Double
    public var maxErrorRateIncrease: Double
    public var maxLatencyIncrease: Double
    public var latencyQuantile: Double
    public var minRequests: Int
    public var intervalMs: Int
    public var warmupSeconds: Int
    public var maxStepSeconds: Int

    enum CodingKeys: String, CodingKey {
        case confidence, maxErrorRateIncrease = "max_error_rate_increase", maxLatencyIncrease = "max_latency_increase",
             latencyQuantile = "latency_quantile", minRequests = "min_requests", intervalMs = "interval_ms", warmupSeconds = "warmup_s",
             maxStepSeconds = "max_step_s"
    }
}
