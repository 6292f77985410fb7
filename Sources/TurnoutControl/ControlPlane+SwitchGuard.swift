import TurnoutConfig
import TurnoutMirror
import TurnoutRollout

/// The checks a switch's guard asks for before the switch (SPEC §5): the shadow comparison of
/// the target pool (`require_shadow`), then requests straight to its servers (`preflight`).
///
/// They run before the switch and outside the change lock: the requests take time, and other
/// changes need not wait for them. The switch itself then goes through `switchSplit` as any
/// switch does, which validates again against the state in force then (a reload or another
/// switch may have come in between). A refusal changes nothing and records nothing.
extension ControlPlane {
    /// Runs the checks of `guard` for switching `split` to `pool`; the history's reason for the
    /// switch when they pass (`preflight passed: 2 servers × 2 checks`), nil when the guard
    /// checks nothing before the switch (a watch alone). Throws 409 naming every miss.
    ///
    /// A switch that could not happen (an unknown split, a pool outside it, a rollout driving
    /// the split) is refused as `switchSplit` refuses it, before anything is sent.
    public func checkSwitchGuard(_ switchGuard: SwitchGuard, split: String, to pool: String) throws(ControlError) -> String? {
        guard switchGuard.checksBeforeSwitch else { return nil }
        let target = try guardTarget(split: split, pool: pool)
        var reasons: [String] = []
        if let requirement = switchGuard.requireShadow {
            reasons.append(try checkShadow(requirement, pool: pool, mirrors: target.mirrors))
        }
        if !switchGuard.preflight.isEmpty {
            reasons.append(try runPreflight(switchGuard.preflight, pool: pool, target: target))
        }
        return reasons.joined(separator: "; ")
    }

    /// What the checks need from the state in force, read at once.
    struct GuardTarget {
        /// The pool's servers that take traffic after the switch: every one not drained. A server
        /// that is down or ejected now is checked too, since it takes traffic when it is back.
        var servers: [ServerAddress]
        var drained: Int
        var timeoutMs: Int
        /// The mirrors of the routes that copy to the pool.
        var mirrors: [MirrorConfig]
    }

    private func guardTarget(split name: String, pool: String) throws(ControlError) -> GuardTarget {
        let (config, runtime) = read { ($0.config, $0.runtime) }
        guard let split = config.split(named: name) else { throw unknownSplit(name, config) }
        guard split.weights[pool] != nil, let definition = config.pool(named: pool) else {
            throw .badRequest("pool \(quoted(pool)) is not in split \(quoted(name)) (its pools: \(list(split.poolNames)))")
        }
        try Self.refuseDuringRelease(name, runtime)
        let drained = runtime.drained[pool] ?? []
        let servers = definition.servers.map(\.address).filter { !drained.contains($0.description) }
        let mirrors = config.routes.indices.compactMap { config.mirror(forRoute: $0) }.filter { $0.pool == pool }
        return GuardTarget(servers: servers, drained: definition.servers.count - servers.count,
                           timeoutMs: config.health.timeoutMs, mirrors: mirrors)
    }

    /// `preflight`: every check on every server that takes traffic after the switch.
    private func runPreflight(_ checks: [PreflightCheck], pool: String, target: GuardTarget) throws(ControlError) -> String {
        guard !target.servers.isEmpty else {
            throw .conflict("preflight refused the switch to \(quoted(pool)): every server of the pool is drained, so there is nothing to check; nothing changed (enable a server first)")
        }
        let preflight = Preflight(targets: target.servers.flatMap { server in checks.map { Preflight.Target(server: server, check: $0) } },
                                  timeoutMs: target.timeoutMs)
        let outcomes: [Preflight.Outcome]
        do {
            outcomes = try preflight.run()
        } catch {
            throw ControlError(503, "preflight of \(quoted(pool)) could not start: \(error); nothing changed, try again")
        }
        let misses = zip(preflight.targets, outcomes).compactMap { target, outcome in
            preflight.miss(outcome, target: target)
        }
        guard misses.isEmpty else { throw .conflict(Preflight.refusal(pool: pool, misses: misses)) }
        return Preflight.passed(servers: target.servers.count, checks: checks.count, drained: target.drained)
    }

    /// `require_shadow`: the mirror's comparison of `pool`, summed over every route that copies
    /// to it.
    private func checkShadow(_ requirement: ShadowRequirement, pool: String, mirrors: [MirrorConfig]) throws(ControlError) -> String {
        let refused = "require_shadow refused the switch to \(quoted(pool))"
        guard !mirrors.isEmpty else {
            throw .conflict("\(refused): no route mirrors to \(quoted(pool)), so there is no comparison to go by; nothing changed (mirror traffic to it first: \"mirror\": {\"pool\": \"\(pool)\", \"percent\": 5, \"compare\": true})")
        }
        guard mirrors.contains(where: \.compare) else {
            throw .conflict("\(refused): the routes that mirror to \(quoted(pool)) do not compare its answers; nothing changed (set \"compare\": true in their mirror)")
        }
        guard let report = server.mirrorReport() else { throw Self.workerSilent }
        var counts = MirrorCounts()
        for (key, value) in report.counts where key.shadow == pool { counts.add(value) }
        let evidence = ShadowEvidence(counts)
        if let shortfall = evidence.refusal(requirement, pool: pool) { throw .conflict("\(refused): \(shortfall); nothing changed") }
        return evidence.met(requirement)
    }
}

/// The part of the mirror's comparison a guard goes by: the answers compared (matched or
/// mismatched) and the mismatches (status or body). Answers that could not be compared (a body
/// over the compare limit) and noise (the two primaries disagreed) say nothing about the shadow,
/// so they count neither way.
struct ShadowEvidence: Equatable {
    var compared: Int
    var mismatched: Int
    /// Verdicts left out: not compared, noise.
    var leftOut: Int

    init(compared: Int, mismatched: Int, leftOut: Int = 0) {
        self.compared = compared
        self.mismatched = mismatched
        self.leftOut = leftOut
    }

    init(_ counts: MirrorCounts) {
        mismatched = counts.statusMismatch + counts.bodyMismatch
        compared = counts.matched + mismatched
        leftOut = counts.notCompared + counts.noise
    }

    /// The share mismatched; 0 with nothing compared.
    var rate: Double { compared == 0 ? 0 : Double(mismatched) / Double(compared) }

    /// Why the evidence falls short of `requirement`, or nil when it meets it.
    func refusal(_ requirement: ShadowRequirement, pool: String) -> String? {
        if compared < requirement.minCompared {
            let note = leftOut > 0 ? " (not counting \(PlanFormat.grouped(leftOut)) not compared or noise)" : ""
            return "the shadow comparison of \(quoted(pool)) has \(PlanFormat.grouped(compared)) compared \(compared == 1 ? "answer" : "answers")\(note); the guard requires \(PlanFormat.grouped(requirement.minCompared))"
        }
        if rate > requirement.maxMismatchRate {
            return "the shadow comparison of \(quoted(pool)) has \(Self.percent(rate)) mismatched (\(PlanFormat.grouped(mismatched)) of \(PlanFormat.grouped(compared))), above the \(Self.percent(requirement.maxMismatchRate)) allowed"
        }
        return nil
    }

    /// The history's words for evidence that meets `requirement`.
    func met(_ requirement: ShadowRequirement) -> String {
        "require_shadow met: \(Self.percent(rate)) mismatched (\(PlanFormat.grouped(mismatched)) of \(PlanFormat.grouped(compared)) compared), at most \(Self.percent(requirement.maxMismatchRate)) allowed"
    }

    /// A share as a percentage with two significant decimals at least: `0.42 %`, `0.1 %`,
    /// `0.005 %`, `12 %`.
    static func percent(_ share: Double) -> String {
        let value = share * 100
        guard value > 0 else { return "0 %" }
        var decimals = 2
        var scaled = value * 100
        while scaled < 10 && decimals < 8 {
            decimals += 1
            scaled *= 10
        }
        var text = String(Int((value * pow10(decimals)).rounded()))
        if decimals > 0 {
            while text.count <= decimals { text = "0" + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + " %"
    }

    private static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }
}
