import TurnoutRollout

/// `rollouts`: rollout templates by split name, and the rollout body of the admin API (the same
/// shape, checked by the same code), decoded straight into the release module's `RolloutPlan`:
/// both pools are in the split and differ, weights rise, and the analysis settings are the
/// configuration's with the rollout's overrides applied.
extension ConfigDecoder {
    /// The keys of a rollout body.
    static let rolloutKeys = ["baseline", "canary", "steps", "advance", "analysis"]

    /// `rollouts`: `{"web": {…a rollout body…}}`, each naming a declared split and its pools.
    func decodeRollouts(_ top: Fields, splits: [SplitConfig], analysis: AnalysisSettings) -> [String: RolloutPlan] {
        guard let value = top["rollouts"], value != .null else { return [:] }
        let expected = "an object of rollout templates by split name, e.g. {\"web\": {\"baseline\": \"blue\", \"canary\": \"green\", \"steps\": [{\"weight\": 10, \"hold_s\": 60}]}}"
        guard let templates = reader.object(value, at: top.path.key("rollouts"), keys: nil, expected: expected) else { return [:] }
        var plans: [String: RolloutPlan] = [:]
        for name in templates.members.keys.sorted() {
            let path = templates.path.key(name)
            guard let split = splits.first(where: { $0.name == name }) else {
                checkSplitReference(name, at: path)
                continue
            }
            if let plan = decodeRollout(templates.members[name]!, at: path, split: split, analysis: analysis) {
                plans[name] = plan
            }
        }
        return plans
    }

    /// One rollout body for `split`; nil after reporting its problems. The plan gets its final
    /// 100 % step from `RolloutPlan.init` when the body has none. `extraKeys` are allowed
    /// beside the rollout's own and left to the caller (the admin body's `force`).
    func decodeRollout(_ value: JSONValue, at path: JSONPath, split: SplitConfig, analysis base: AnalysisSettings,
                       extraKeys: [String] = []) -> RolloutPlan? {
        let errorsBefore = reader.errors.count
        let expected = "a rollout such as {\"baseline\": \"blue\", \"canary\": \"green\", \"steps\": [{\"weight\": 10, \"hold_s\": 60}, {\"weight\": 100}]}"
        guard let fields = reader.object(value, at: path, keys: Self.rolloutKeys + extraKeys, expected: expected) else { return nil }
        let pools = split.poolNames
        func pool(_ key: String, _ role: String) -> String {
            guard let value = reader.required(fields, key, expected: "the \(role) pool, one of the split's pools (\(listOfQuoted(pools, conjunction: "or")))"),
                  let name = reader.string(value, at: path.key(key), expected: "a pool name") else { return "" }
            if !pools.contains(name) {
                reader.report(path.key(key), "pool \(quoted(name)) is not in split \(quoted(split.name)) (its pools: \(listOfQuoted(pools, conjunction: "and")))")
            }
            return name
        }
        let baseline = pool("baseline", "baseline")
        let canary = pool("canary", "canary")
        if !baseline.isEmpty && baseline == canary {
            reader.report(path.key("canary"), "the canary must be another pool than the baseline \(quoted(baseline))")
        }
        var steps: [RolloutStep] = []
        if let value = reader.required(fields, "steps", expected: "a list of steps such as [{\"weight\": 10, \"hold_s\": 60}, {\"pause\": true}, {\"weight\": 100}]") {
            steps = decodeSteps(value, at: path.key("steps"))
        }
        var advance = AdvanceMode.hold
        if let value = fields["advance"] {
            advance = reader.choice(value, at: path.key("advance"), AdvanceMode.allCases.map { ($0.rawValue, $0) }) ?? .hold
        }
        var analysis = base
        if let overrides = reader.section(fields, "analysis", keys: Self.analysisKeys) {
            analysis = decodeAnalysisFields(overrides, over: base)
        }
        guard reader.errors.count == errorsBefore else { return nil }
        return RolloutPlan(baseline: baseline, canary: canary, steps: steps, advance: advance, analysis: analysis)
    }

    /// The steps: `{"weight": N, "hold_s": S}` with rising weights, or `{"pause": true}`; a 100 %
    /// step only last and without a hold (reaching it promotes).
    private func decodeSteps(_ value: JSONValue, at path: JSONPath) -> [RolloutStep] {
        guard let elements = reader.array(value, at: path, expected: "a list of steps") else { return [] }
        if elements.isEmpty { reader.report(path, "expected at least one step, e.g. [{\"weight\": 10, \"hold_s\": 60}]") }
        var steps: [RolloutStep] = []
        var lastWeight = 0
        for (i, element) in elements.enumerated() {
            let stepPath = path.index(i)
            guard let fields = reader.object(element, at: stepPath, keys: ["weight", "hold_s", "pause"],
                                             expected: "a step such as {\"weight\": 10, \"hold_s\": 60} or {\"pause\": true}") else { continue }
            if let pause = fields["pause"] {
                if pause != .bool(true) {
                    reader.report(stepPath.key("pause"), "expected true (a pause step waits for resume), got \(pause.shortDescription)")
                } else if fields.members.count > 1 {
                    reader.report(stepPath, "a pause step has no weight or hold_s: write {\"pause\": true} as a step of its own")
                } else {
                    steps.append(.pause)
                }
                continue
            }
            guard let weightValue = reader.required(fields, "weight", expected: "the canary's percent, 1 to 100 (or {\"pause\": true})"),
                  let weight = reader.integer(weightValue, at: stepPath.key("weight"), IntBounds(min: 1, max: 100, unit: nil, maxNote: "percent")) else { continue }
            let hold = reader.integer(fields, "hold_s", default: 0, IntBounds(min: 0, max: 604_800, unit: "seconds", maxNote: "one week"))
            if weight <= lastWeight {
                reader.report(stepPath.key("weight"), "weights must rise step by step: \(weight) follows \(lastWeight)")
            } else if weight == 100 && i != elements.count - 1 {
                reader.report(stepPath.key("weight"), "100 promotes the canary, so it can only be the last step")
            } else if weight == 100 && fields["hold_s"] != nil {
                reader.report(stepPath.key("hold_s"), "the 100 % step promotes at once; there is nothing to hold")
            }
            lastWeight = max(lastWeight, weight)
            steps.append(.weight(weight, holdSeconds: hold))
        }
        return steps
    }
}
