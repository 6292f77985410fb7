import Foundation

/// The bodies of the admin API's changes, decoded as strictly as the configuration: an unknown
/// key, a string where a number belongs or a duplicate key is an error with its JSON path, so a
/// typo (`"froce": true`) is refused instead of silently ignored.
public enum AdminBody {
    /// `PUT /splits/NAME`: `{"blue": 90, "canary": 10}`, pool names to non-negative integers.
    public static func weights(_ body: [UInt8]) throws(ConfigErrors) -> [String: Int] {
        try decode(body, expected: "an object of pool names to non-negative integer weights, like {\"blue\": 90, \"canary\": 10}") { decoder, value in
            guard let fields = decoder.reader.object(value, at: .root, keys: nil, expected: "an object of pool names to weights") else { return nil }
            var weights: [String: Int] = [:]
            for pool in fields.members.keys.sorted() {
                if let weight = decoder.reader.integer(fields.members[pool]!, at: JSONPath.root.key(pool),
                                                       IntBounds(min: 0, max: ConfigDecoder.maxSplitWeight)) {
                    weights[pool] = weight
                }
            }
            return weights
        }
    }

    /// `POST /splits/NAME/switch`: `{"to": "green", "force": false, "guard": {…}}`; the guard
    /// (see `SwitchGuard`) is nil when the body has none.
    public static func switchTarget(_ body: [UInt8]) throws(ConfigErrors) -> (to: String, force: Bool, guard: SwitchGuard?) {
        try decode(body, expected: "an object like {\"to\": \"green\", \"force\": false}") { decoder, value in
            guard let fields = decoder.reader.object(value, at: .root, keys: ["to", "force", "guard"]) else { return nil }
            let to = decoder.reader.required(fields, "to", expected: "the pool to switch to").flatMap {
                decoder.reader.string($0, at: JSONPath.root.key("to"), expected: "a pool name")
            }
            let force = decoder.reader.bool(fields, "force", default: false)
            let switchGuard = fields["guard"].flatMap { decoder.decodeSwitchGuard($0, at: JSONPath.root.key("guard")) }
            return to.map { ($0, force, switchGuard) }
        }
    }

    /// A body that carries nothing (`POST …/rollback`, the rollout verbs): empty or `{}`.
    public static func none(_ body: [UInt8]) throws(ConfigErrors) {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return }
        let _: Bool = try decode(body, expected: "empty, or {}") { decoder, value in
            decoder.reader.object(value, at: .root, keys: []) == nil ? nil : true
        }
    }

    /// `POST /splits/NAME/rollout`: a rollout for `split` under `config` (pools of the split,
    /// analysis overrides over `config.analysis`), and `force`, which starts it even when the
    /// plan check says a step cannot finish. An empty body, or one with `force` alone, takes the
    /// configuration's template for the split.
    public static func rollout(_ body: [UInt8], split: SplitConfig, config: Config) throws(ConfigErrors) -> RolloutRequest {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard let template = config.rollouts[split.name] else {
                throw ConfigErrors(source: "body", errors: [ConfigError(path: "", message: noTemplate(split, body: "empty body"))])
            }
            return RolloutRequest(plan: template, force: false)
        }
        return try decode(body, expected: "a rollout object") { decoder, value in
            decoder.poolNames = Set(config.pools.map(\.name))
            decoder.splitNames = Set(config.splits.map(\.name))
            // `force` belongs to the request, not to the rollout, so templates never carry it.
            var force = false
            if case .object(let members) = value, let flag = members["force"] {
                if case .bool(let on) = flag {
                    force = on
                } else {
                    decoder.reader.report(JSONPath.root.key("force"), "expected true or false (true starts the rollout even when a step cannot reach min_requests within max_step_s), got \(flag.shortDescription)")
                }
                if members.count == 1 {
                    guard let template = config.rollouts[split.name] else {
                        decoder.reader.report(.root, noTemplate(split, body: "a body with \"force\" alone"))
                        return nil
                    }
                    return RolloutRequest(plan: template, force: force)
                }
            }
            return decoder.decodeRollout(value, at: .root, split: split, analysis: config.analysis, extraKeys: ["force"])
                .map { RolloutRequest(plan: $0, force: force) }
        }
    }

    /// The refusal of a body that asks for the configuration's template when there is none.
    private static func noTemplate(_ split: SplitConfig, body: String) -> String {
        "\(body) and the configuration has no rollout template for split \(quoted(split.name)) (add \"rollouts\": {\"\(split.name)\": {…}}, or send the rollout: {\"baseline\": …, \"canary\": …, \"steps\": […]})"
    }

    /// Parses `body` as JSON and runs `decode`; every problem is thrown with its path, under the
    /// source name `body`.
    private static func decode<T>(_ body: [UInt8], expected: String, _ decode: (ConfigDecoder, JSONValue) -> T?) throws(ConfigErrors) -> T {
        let errors = { (message: String) in ConfigErrors(source: "body", errors: [ConfigError(path: "", message: message)]) }
        guard !body.isEmpty else { throw errors("the body must be \(expected)") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw errors("the body is not valid JSON; it must be \(expected)")
        }
        let decoder = ConfigDecoder()
        for problem in JSONSyntax.problems(in: body) { decoder.reader.report(problem.error) }
        let value = decode(decoder, JSONValue(foundation: object))
        guard let value, decoder.reader.errors.isEmpty else {
            throw ConfigErrors(source: "body", errors: decoder.reader.errors.isEmpty ? [ConfigError(path: "", message: "the body must be \(expected)")] : decoder.reader.errors)
        }
        return value
    }
}
