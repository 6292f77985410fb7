/// Walks a `JSONValue` tree by hand, carrying the JSON path, and collects every problem
/// instead of stopping at the first (`turnout check` prints them all).
///
/// Each reader method reports its own errors and returns a usable stand-in (the default, or
/// nil) so decoding can go on and find the next problem; the decoded `Config` is only handed
/// out when `errors` is empty.
final class ConfigReader {
    /// The problems found so far, in the order they were found.
    private(set) var errors: [ConfigError] = []

    /// Records a problem at `path`.
    func report(_ path: JSONPath, _ message: String) {
        errors.append(ConfigError(path: path.description, message: message))
    }

    /// Records a problem found outside the walk (by the JSON structure scan).
    func report(_ error: ConfigError) {
        errors.append(error)
    }

    /// The fields of a JSON object, with every key checked against `keys`: unknown keys are
    /// reported (with a "did you mean" hint), so that a typo never silently disables a setting.
    /// Reports and returns nil when `value` is not an object.
    /// With `keys` nil the object is free-form (names of pools, splits, headers) and only its
    /// type is checked.
    func object(_ value: JSONValue, at path: JSONPath, keys: [String]?, expected: String = "an object") -> Fields? {
        guard case .object(let members) = value else {
            report(path, "expected \(expected), got \(value.shortDescription)")
            return nil
        }
        if let keys {
            for key in members.keys.sorted() where !keys.contains(key) {
                report(path.key(key), unknownKeyMessage(key, known: keys))
            }
        }
        return Fields(path: path, members: members)
    }

    /// An optional section: its fields when present, no fields (all defaults) when absent,
    /// nil after reporting when it is not an object.
    func section(_ fields: Fields, _ key: String, keys: [String]) -> Fields? {
        let path = fields.path.key(key)
        guard let value = fields.members[key] else { return Fields(path: path, members: [:]) }
        return object(value, at: path, keys: keys)
    }

    /// The message for a key that is not in `known`.
    func unknownKeyMessage(_ key: String, known: [String]) -> String {
        if let near = closestMatch(to: key, in: known) {
            return "unknown key \(quoted(key)); did you mean \(quoted(near))?"
        }
        return "unknown key \(quoted(key)) (expected \(listOfQuoted(known, conjunction: "or")))"
    }

    /// The value of a required key; reports `required key is missing (expected …)` when absent.
    func required(_ fields: Fields, _ key: String, expected: String) -> JSONValue? {
        guard let value = fields.members[key] else {
            report(fields.path.key(key), "required key is missing (expected \(expected))")
            return nil
        }
        return value
    }

    // MARK: - Scalars

    /// A string; nil (after reporting) when the value is not a string.
    func string(_ value: JSONValue, at path: JSONPath, expected: String = "a string") -> String? {
        guard case .string(let text) = value else {
            report(path, "expected \(expected), got \(value.shortDescription)")
            return nil
        }
        return text
    }

    /// A non-empty string field with a default when absent.
    func nonEmptyString(_ fields: Fields, _ key: String, default fallback: String, expected: String) -> String {
        guard let value = fields.members[key] else { return fallback }
        let path = fields.path.key(key)
        guard let text = string(value, at: path, expected: expected) else { return fallback }
        if text.isEmpty {
            report(path, "expected \(expected), got an empty string")
            return fallback
        }
        return text
    }

    /// A field that is a non-empty string or `null` (nil), with a default when absent.
    func optionalString(_ fields: Fields, _ key: String, default fallback: String?, expected: String) -> String? {
        guard let value = fields.members[key] else { return fallback }
        if value == .null { return nil }
        let path = fields.path.key(key)
        guard let text = string(value, at: path, expected: "\(expected) or null") else { return fallback }
        if text.isEmpty {
            report(path, "expected \(expected) or null, got an empty string")
            return fallback
        }
        return text
    }

    /// A boolean field (`true`/`false` only; `1` and `"true"` are errors).
    func bool(_ fields: Fields, _ key: String, default fallback: Bool) -> Bool {
        guard let value = fields.members[key] else { return fallback }
        guard case .bool(let flag) = value else {
            report(fields.path.key(key), "expected true or false, got \(value.shortDescription)")
            return fallback
        }
        return flag
    }

    /// An integer literal within `bounds`; `1.5`, `1.0`, `true` and `"5"` are errors.
    func integer(_ value: JSONValue, at path: JSONPath, _ bounds: IntBounds) -> Int? {
        guard case .integer(let number) = value else {
            report(path, "expected \(bounds.noun), got \(value.shortDescription)")
            return nil
        }
        if number < bounds.min {
            report(path, "expected \(bounds.lowerPhrase), got \(number)")
            return nil
        }
        if number > bounds.max {
            let unit = bounds.unit.map { " \($0)" } ?? ""
            let note = bounds.maxNote.map { " (\($0))" } ?? ""
            report(path, "expected at most \(bounds.max)\(unit)\(note), got \(number)")
            return nil
        }
        return number
    }

    /// An integer field with a default when absent.
    func integer(_ fields: Fields, _ key: String, default fallback: Int, _ bounds: IntBounds) -> Int {
        guard let value = fields.members[key] else { return fallback }
        return integer(value, at: fields.path.key(key), bounds) ?? fallback
    }

    /// A number (integer or fraction) within `bounds`; booleans and strings are errors.
    func number(_ value: JSONValue, at path: JSONPath, _ bounds: DoubleBounds) -> Double? {
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .float(let float): number = float
        default:
            report(path, "expected a number, got \(value.shortDescription)")
            return nil
        }
        guard bounds.contains(number) else {
            report(path, "expected a number \(bounds.phrase), got \(formatNumber(number))")
            return nil
        }
        return number
    }

    /// A number field with a default when absent.
    func number(_ fields: Fields, _ key: String, default fallback: Double, _ bounds: DoubleBounds) -> Double {
        guard let value = fields.members[key] else { return fallback }
        return number(value, at: fields.path.key(key), bounds) ?? fallback
    }

    /// One of a fixed set of strings, mapped to its value; the error lists the choices and
    /// suggests the nearest one.
    func choice<T>(_ value: JSONValue, at path: JSONPath, _ options: [(String, T)]) -> T? {
        let names = options.map(\.0)
        let expected = listOfQuoted(names, conjunction: "or")
        guard case .string(let text) = value else {
            report(path, "expected \(expected), got \(value.shortDescription)")
            return nil
        }
        if let match = options.first(where: { $0.0 == text }) { return match.1 }
        let hint = closestMatch(to: text, in: names).map { " (did you mean \(quoted($0))?)" } ?? ""
        report(path, "expected \(expected), got \(quoted(text))\(hint)")
        return nil
    }

    /// An array; nil (after reporting) when the value is not one.
    func array(_ value: JSONValue, at path: JSONPath, expected: String) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            report(path, "expected \(expected), got \(value.shortDescription)")
            return nil
        }
        return elements
    }
}

/// The members of one JSON object together with its path.
struct Fields {
    /// The object's path.
    let path: JSONPath
    /// The object's members.
    let members: [String: JSONValue]

    /// The value of `key`, nil when absent.
    subscript(key: String) -> JSONValue? { members[key] }
}

/// The accepted range of an integer setting and how to name it in messages.
struct IntBounds {
    var min: Int
    var max: Int = .max
    /// The unit for messages: `milliseconds`, `bytes`; nil for plain counts.
    var unit: String? = nil
    /// Why the maximum exists, e.g. `one week`.
    var maxNote: String? = nil

    /// The longest duration accepted, one week: far beyond any sensible timeout, and far from
    /// overflowing when added to a nanosecond clock.
    static let maxDurationMs = 604_800_000

    /// A duration in milliseconds that must be > 0 (timeouts, intervals: 0 makes no sense).
    static let positiveMs = IntBounds(min: 1, max: maxDurationMs, unit: "milliseconds", maxNote: "one week")
    /// A duration in milliseconds where 0 means "at once".
    static let nonNegativeMs = IntBounds(min: 0, max: maxDurationMs, unit: "milliseconds", maxNote: "one week")
    /// A count ≥ 1.
    static let positive = IntBounds(min: 1)

    /// `an integer number of milliseconds`, `an integer`.
    var noun: String {
        unit.map { "an integer number of \($0)" } ?? "an integer"
    }

    /// What the lower bound asks for: `a positive integer number of milliseconds`.
    var lowerPhrase: String {
        let suffix = unit.map { " number of \($0)" } ?? ""
        switch min {
        case 1: return "a positive integer\(suffix)"
        case 0: return "a non-negative integer\(suffix)"
        default:
            if max == .max { return "an integer\(suffix) of at least \(min)" }
            return "an integer\(suffix) from \(min) to \(max)"
        }
    }
}

/// The accepted range of a fractional setting.
struct DoubleBounds {
    var lower: Double
    var lowerInclusive: Bool
    var upper: Double?
    var upperInclusive: Bool = false

    /// Whether `value` is inside (NaN never is).
    func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        guard lowerInclusive ? value >= lower : value > lower else { return false }
        if let upper { return upperInclusive ? value <= upper : value < upper }
        return true
    }

    /// `greater than 0.5 and less than 1`, `from 0 to 100`, `of at least 0`.
    var phrase: String {
        let low = formatNumber(lower)
        guard let upper else {
            return lowerInclusive ? "of at least \(low)" : "greater than \(low)"
        }
        let high = formatNumber(upper)
        if lowerInclusive && upperInclusive { return "from \(low) to \(high)" }
        return (lowerInclusive ? "of at least \(low)" : "greater than \(low)")
            + " and " + (upperInclusive ? "at most \(high)" : "less than \(high)")
    }
}

/// `1` for 1.0, `0.5` for 0.5: numbers as a person would write them.
func formatNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        return String(Int(value))
    }
    return String(value)
}

/// `"a", "b" or "c"`.
func listOfQuoted(_ items: [String], conjunction: String) -> String {
    let shown = items.map { quoted($0) }
    guard shown.count > 1 else { return shown.first ?? "nothing" }
    return shown.dropLast().joined(separator: ", ") + " \(conjunction) " + shown.last!
}
