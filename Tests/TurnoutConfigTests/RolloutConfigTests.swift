import Testing
@testable import TurnoutConfig
import TurnoutRollout

/// Rollout templates, the `notify` section, and the admin API's strict bodies.
@Suite struct RolloutConfigTests {
    static let template = #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5, "hold_s": 60}, {"pause": true}, {"weight": 50}], "advance": "proven", "analysis": {"max_latency_increase": 0.2, "warmup_s": 10}}}"#

    @Test func aTemplateDecodesWithItsOverridesOverTheAnalysisBlock() throws {
        let config = try #require(decoded(document(["rollouts": Self.template, "analysis": #"{"min_requests": 50}"#])))
        let plan = try #require(config.rollouts["web"])
        #expect(plan.baseline == "blue" && plan.canary == "canary")
        #expect(plan.steps == [.weight(5, holdSeconds: 60), .pause, .weight(50, holdSeconds: 0), .weight(100, holdSeconds: 0)])
        #expect(plan.advance == .proven)
        #expect(plan.analysis.maxLatencyIncrease == 0.2)
        #expect(plan.analysis.warmupSeconds == 10)
        #expect(plan.analysis.minRequests == 50)
        #expect(plan.analysis.intervalMs == 1_000)
    }

    static let cases: [RuleCase] = [
        RuleCase(["rollouts": #"{"api": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5}]}}"#], "rollouts.api", #"no split named "api""#),
        RuleCase(["rollouts": #"{"web": {"baseline": "blu", "canary": "canary", "steps": [{"weight": 5}]}}"#], "rollouts.web.baseline", #"pool "blu" is not in split "web""#),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "blue", "steps": [{"weight": 5}]}}"#], "rollouts.web.canary", "another pool than the baseline"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary"}}"#], "rollouts.web.steps", "required key is missing"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": []}}"#], "rollouts.web.steps", "at least one step"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 50}, {"weight": 20}]}}"#], "rollouts.web.steps[1].weight", "weights must rise"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 100}, {"pause": true}]}}"#], "rollouts.web.steps[0].weight", "only be the last step"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 100, "hold_s": 5}]}}"#], "rollouts.web.steps[0].hold_s", "nothing to hold"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 101}]}}"#], "rollouts.web.steps[0].weight", "at most 100"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5, "hold": 60}]}}"#], "rollouts.web.steps[0].hold", #"did you mean "hold_s"?"#),
        // `force` is a decision of one admin request, never part of a template.
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5}], "force": true}}"#], "rollouts.web.force", #"unknown key "force""#),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"pause": true, "weight": 5}]}}"#], "rollouts.web.steps[0]", "a step of its own"),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5}], "advance": "fast"}}"#], "rollouts.web.advance", #"expected "hold" or "proven""#),
        RuleCase(["rollouts": #"{"web": {"baseline": "blue", "canary": "canary", "steps": [{"weight": 5}], "analysis": {"confidense": 0.9}}}"#], "rollouts.web.analysis.confidense", #"did you mean "confidence"?"#),
        RuleCase(["analysis": #"{"interval_ms": 10}"#], "analysis.interval_ms", "from 100 to 60000, got 10"),
        RuleCase(["analysis": #"{"warmup_s": -1}"#], "analysis.warmup_s", "non-negative"),
        RuleCase(["notify": #"{"webhooks": ["https://example.org/x"]}"#], "notify.webhooks[0]", "plain http"),
        RuleCase(["notify": #"{"command": []}"#], "notify.command", "got an empty list"),
        RuleCase(["notify": #"{"webhooks": ["http://hooks.example.org/x"]}"#], "notify.webhooks[0]", "must be an IP address or localhost"),
        RuleCase(["notify": #"{"hooks": []}"#], "notify.hooks", #"unknown key "hooks""#),
    ]

    @Test(arguments: cases) func eachRuleReportsItsPath(_ rule: RuleCase) {
        let found = errors(of: document(rule.changes))
        #expect(found.contains { $0.path == rule.path && $0.message.contains(rule.fragment) }, "got \(found)")
    }

    @Test func notifyDecodes() throws {
        let config = try #require(decoded(document(["notify": #"{"webhooks": ["http://127.0.0.1:9000/turnout", "http://localhost"], "command": ["/bin/cat"], "attempts": 3}"#])))
        let notify = try #require(config.notify)
        #expect(notify.webhooks.map(\.port) == [9000, 80])
        #expect(notify.webhooks.map(\.path) == ["/turnout", "/"])
        #expect(notify.webhooks[1].host == "localhost")
        #expect(notify.command == ["/bin/cat"])
        #expect(notify.attempts == 3)
    }

    @Test func adminBodiesAreStrict() throws {
        #expect(try AdminBody.weights(Array(#"{"blue": 90, "canary": 10}"#.utf8)) == ["blue": 90, "canary": 10])
        #expect(throws: ConfigErrors.self) { try AdminBody.weights(Array(#"{"blue": "90"}"#.utf8)) }
        #expect(throws: ConfigErrors.self) { try AdminBody.weights(Array(#"{"blue": 9.5}"#.utf8)) }
        #expect(throws: ConfigErrors.self) { try AdminBody.weights(Array(#"{"blue": 1, "blue": 2}"#.utf8)) }
        let target = try AdminBody.switchTarget(Array(#"{"to": "green", "force": true}"#.utf8))
        #expect(target.to == "green" && target.force)
        do {
            _ = try AdminBody.switchTarget(Array(#"{"to": "green", "froce": true}"#.utf8))
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect(error.errors.first?.path == "froce")
            #expect(error.description.contains(#"did you mean "force"?"#))
        }
        try AdminBody.none([])
        try AdminBody.none(Array("{}".utf8))
        #expect(throws: ConfigErrors.self) { try AdminBody.none(Array(#"{"now": true}"#.utf8)) }
    }

    @Test func aRolloutBodyIsCheckedAgainstItsSplitAndTheTemplateFillsAnEmptyOne() throws {
        let config = try #require(decoded(document(["rollouts": Self.template])))
        let split = try #require(config.split(named: "web"))
        let fromTemplate = try AdminBody.rollout([], split: split, config: config)
        #expect(fromTemplate == RolloutRequest(plan: try #require(config.rollouts["web"]), force: false))
        let body = #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 5}]}"#
        let request = try AdminBody.rollout(Array(body.utf8), split: split, config: config)
        #expect(!request.force)
        let plan = request.plan
        #expect(plan.steps == [.weight(10, holdSeconds: 5), .weight(100, holdSeconds: 0)])
        #expect(plan.advance == .hold)
        do {
            _ = try AdminBody.rollout(Array(#"{"baseline": "blue", "canary": "green", "steps": [{"weight": 10}]}"#.utf8), split: split, config: config)
            Issue.record("a pool outside the split was accepted")
        } catch {
            #expect(error.errors.map(\.path) == ["canary"])
        }
        var bare = config
        bare.rollouts = [:]
        #expect(throws: ConfigErrors.self) { try AdminBody.rollout([], split: split, config: bare) }
    }

    /// `force` (start past the plan check) is a key of the admin body only, a boolean; alone it
    /// forces the configuration's template.
    static let forceBodies: [(body: String, force: Bool?, fragment: String)] = [
        (#"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10}], "force": true}"#, true, ""),
        (#"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10}], "force": false}"#, false, ""),
        (#"{"force": true}"#, true, ""),
        (#"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10}], "force": "yes"}"#, nil, #"force: expected true or false (true starts the rollout even when a step cannot reach min_requests within max_step_s), got "yes""#),
        (#"{"force": 1}"#, nil, "force: expected true or false"),
        (#"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10}], "froce": true}"#, nil, #"did you mean "force"?"#),
    ]

    @Test(arguments: forceBodies) func forceIsABooleanOfTheBodyOnly(_ body: String, _ force: Bool?, _ fragment: String) throws {
        let config = try #require(decoded(document(["rollouts": Self.template])))
        let split = try #require(config.split(named: "web"))
        do {
            let request = try AdminBody.rollout(Array(body.utf8), split: split, config: config)
            #expect(request.force == force, "\(body)")
            if !body.contains("baseline") { #expect(request.plan == config.rollouts["web"], "force alone takes the template") }
        } catch {
            #expect(force == nil, "\(body): \(error)")
            #expect(error.description.contains(fragment), "\(error)")
        }
        var bare = config
        bare.rollouts = [:]
        do {
            _ = try AdminBody.rollout(Array(#"{"force": true}"#.utf8), split: split, config: bare)
            Issue.record("force alone without a template was accepted")
        } catch {
            #expect(error.description.contains(#"a body with "force" alone and the configuration has no rollout template"#), "\(error)")
        }
    }
}
