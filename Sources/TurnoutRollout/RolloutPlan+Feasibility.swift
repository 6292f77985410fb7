import Glibc

/// A plan checked against the traffic before it starts (SPEC §9): per weight step, how fast the
/// canary would get requests at the split's current rate and how long the step would need to
/// reach `min_requests`. A step that needs longer than `max_step_s` would only ever stall, so the
/// control plane refuses such a plan unless the operator forces it. Stored in the rollout so the
/// report can show what the start was based on.
public struct PlanCheck: Sendable, Equatable, Codable {
    /// Requests per second the baseline pool served over the measured window.
    public var baselineRate: Double
    /// Requests per second of the whole split: the baseline's rate over its share of the split.
    public var splitRate: Double
    /// Seconds the rates were measured over (the stats timeline's 5-minute window, shorter
    /// right after turnout started).
    public var measuredSeconds: Double
    /// Whether the rollout was started with `"force": true` although a step does not fit.
    public var forced: Bool
    /// One row per weight step that earns an advance: not the pauses, not the final 100 % step.
    public var steps: [StepEstimate]

    /// A check from the rates the caller measured; `PlanCheck.splitRate` derives the split's.
    public init(baselineRate: Double, splitRate: Double, measuredSeconds: Double, forced: Bool = false,
                steps: [StepEstimate]) {
        self.baselineRate = baselineRate
        self.splitRate = splitRate
        self.measuredSeconds = measuredSeconds
        self.forced = forced
        self.steps = steps
    }

    /// The first step that cannot earn its advance within `max_step_s`, nil when all can.
    public var firstMisfit: StepEstimate? { steps.first { !$0.fits } }

    /// The split's rate from the baseline's: the baseline serves `baselineShare` (0…1) of the
    /// split, so the split carries `baselineRate / baselineShare`. Nil when the baseline has no
    /// share, since nothing then says how much the split carries. This assumes the baseline
    /// pool serves this split only; a pool shared by several splits makes the estimate high.
    public static func splitRate(baselineRate: Double, baselineShare: Double) -> Double? {
        guard baselineShare > 0, baselineRate.isFinite, baselineRate >= 0 else { return nil }
        return baselineRate / min(baselineShare, 1)
    }
}

/// The estimate for one weight step of a plan.
public struct StepEstimate: Sendable, Equatable, Codable {
    /// Index into `RolloutPlan.steps` (people read it from 1, as the rollout's reasons do).
    public var stepIndex: Int
    /// The canary's percent during the step.
    public var weight: Int
    /// The step's `hold_s`.
    public var holdSeconds: Int
    /// Canary requests per second expected at that weight.
    public var canaryRate: Double
    /// Seconds from the step's start until the canary has served `min_requests`; for the first
    /// weight step this includes `warmup_s`, whose requests the analyzer does not count. Nil
    /// when the canary would get no traffic at all.
    public var secondsToMinRequests: Double?
    /// The larger of that and `hold_s`: the least time the step takes. Nil when it never ends.
    public var secondsNeeded: Double?
    /// Whether the step can advance within `max_step_s`.
    public var fits: Bool

    /// One row, as `RolloutPlan.feasibility` computes it.
    public init(stepIndex: Int, weight: Int, holdSeconds: Int, canaryRate: Double, secondsToMinRequests: Double?,
                secondsNeeded: Double?, fits: Bool) {
        self.stepIndex = stepIndex
        self.weight = weight
        self.holdSeconds = holdSeconds
        self.canaryRate = canaryRate
        self.secondsToMinRequests = secondsToMinRequests
        self.secondsNeeded = secondsNeeded
        self.fits = fits
    }
}

extension RolloutPlan {
    /// The plan's pace at `splitRate` requests per second (the baseline serving `baselineRate`
    /// of them, measured over `measuredSeconds`): per weight step, the canary's rate
    /// (splitRate × weight / 100), the seconds to `min_requests`, the seconds the step needs at
    /// least (its hold too), and whether that fits within `max_step_s`. Pauses wait for an
    /// operator and the final 100 % step promotes at once, so neither has a row.
    public func feasibility(splitRate: Double, baselineRate: Double, measuredSeconds: Double) -> PlanCheck {
        let minimum = Double(max(analysis.minRequests, 0))
        let limit = Double(analysis.maxStepSeconds)
        var warmUpAhead = true
        var rows: [StepEstimate] = []
        for (index, step) in steps.enumerated() where index < steps.count - 1 {
            guard case .weight(let percent, let hold) = step else { continue }
            let canaryRate = max(splitRate, 0) * Double(percent) / 100
            // The warm-up starts with the canary's first traffic and hides its requests from the
            // analyzer, so the first weight step counts its requests only after it.
            let warmUp = warmUpAhead ? Double(analysis.warmupSeconds) : 0
            warmUpAhead = false
            let toMinimum: Double? = minimum == 0 ? warmUp : canaryRate > 0 ? warmUp + minimum / canaryRate : nil
            let needed = toMinimum.map { max($0, Double(hold)) }
            rows.append(StepEstimate(stepIndex: index, weight: percent, holdSeconds: hold, canaryRate: canaryRate,
                                     secondsToMinRequests: toMinimum, secondsNeeded: needed,
                                     fits: needed.map { $0 <= limit } ?? false))
        }
        return PlanCheck(baselineRate: baselineRate, splitRate: splitRate, measuredSeconds: measuredSeconds, steps: rows)
    }

    /// Why the plan cannot finish at the measured rate, naming its first step that cannot
    /// advance within `max_step_s` and what to change; nil when every step fits.
    public func refusal(_ check: PlanCheck) -> String? {
        misfit(check).map { $0.problem + ": " + $0.remedy + ", or start with \"force\": true" }
    }

    /// One line about a check for reports: what was measured and whether every step fits.
    public func summary(_ check: PlanCheck) -> String {
        guard let (problem, _) = misfit(check) else {
            return "every step can reach min_requests \(PlanFormat.grouped(analysis.minRequests)) within max_step_s \(PlanFormat.grouped(analysis.maxStepSeconds)) at \(PlanFormat.rate(check.splitRate)) requests/s (measured over \(PlanFormat.about(check.measuredSeconds)) s)"
        }
        return check.forced ? "started with \"force\": true although " + problem : "does not fit: " + problem
    }

    /// The first misfit step's problem in words, and the changes that would make it fit.
    private func misfit(_ check: PlanCheck) -> (problem: String, remedy: String)? {
        guard let misfit = check.firstMisfit else { return nil }
        let step = "step \(misfit.stepIndex + 1) (\(misfit.weight) % canary)"
        let limit = "max_step_s is \(PlanFormat.grouped(analysis.maxStepSeconds))"
        let minimum = "min_requests \(PlanFormat.grouped(analysis.minRequests))"
        let served = PlanFormat.rate(check.baselineRate)
        let baseline = check.splitRate == check.baselineRate
            ? "the baseline serves \(served) requests/s"
            : "the baseline serves \(served) of the split's \(PlanFormat.rate(check.splitRate)) requests/s"
        guard let toMinimum = misfit.secondsToMinRequests else {
            return ("\(step) would get no canary requests (\(baseline) over the last \(PlanFormat.about(check.measuredSeconds)) s), so it can never reach \(minimum)",
                    "start when the split has traffic")
        }
        if toMinimum <= Double(analysis.maxStepSeconds) {
            // The hold, not the traffic, outlasts max_step_s.
            return ("\(step) holds \(PlanFormat.grouped(misfit.holdSeconds)) s but \(limit)", "shorten its hold_s, raise max_step_s")
        }
        let warmUp = misfit.stepIndex == firstWeightStepIndex && analysis.warmupSeconds > 0
            ? " (with the \(PlanFormat.grouped(analysis.warmupSeconds)) s warm-up)" : ""
        return ("\(step) needs about \(PlanFormat.about(toMinimum)) s\(warmUp) to reach \(minimum) at \(PlanFormat.rate(misfit.canaryRate)) canary requests/s (\(baseline)); \(limit)",
                "raise the step's weight, lower min_requests, raise max_step_s")
    }

    /// The first step that gives the canary traffic.
    private var firstWeightStepIndex: Int? { steps.firstIndex { $0.weight != nil } }
}

/// Readable numbers for the check's messages, without Foundation: "1,000", "0.5", "10.0";
/// `turnout ctl` prints the report's plan check with them too.
public enum PlanFormat {
    /// An integer with thousands separators.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Seconds to three significant figures (an estimate, not a promise): "1,000", "83", "12,300".
    public static func about(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "∞" }
        guard seconds >= 1_000 else { return grouped(Int(seconds.rounded())) }
        let scale = pow(10, floor(log10(seconds)) - 2)
        return grouped(Int((seconds / scale).rounded() * scale))
    }

    /// A rate: one decimal from 1 up, two significant digits below ("10.0", "0.5", "0.05").
    public static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        guard value > 0 else { return "0" }
        if value >= 1 {
            let tenths = Int((value * 10).rounded())
            return grouped(tenths / 10) + "." + String(tenths % 10)
        }
        let decimals = Int(-floor(log10(value))) + 1
        let scale = pow(10, Double(decimals))
        var text = String(Int((value * scale).rounded()))
        if text.count > decimals { return "1.0" }
        text = String(repeating: "0", count: decimals - text.count) + text
        while text.count > 1 && text.hasSuffix("0") { text.removeLast() }
        return "0." + text
    }
}
