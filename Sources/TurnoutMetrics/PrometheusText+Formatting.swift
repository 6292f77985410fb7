/// Number formatting, escaping and name rules of the text format, shared by the writer.
extension PrometheusText {
    /// A sample value or `le` bound as Prometheus (Go's `ParseFloat`) reads it: integers without
    /// a fraction or exponent ("42"), others in Swift's shortest round-trip form ("0.0025",
    /// "1e-05"), and "+Inf", "-Inf", "NaN".
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        // An integral double below 2^63 is exactly an Int64, so counters print as integers;
        // "-0" prints as "0".
        if value == value.rounded(.towardZero), Swift.abs(value) < 9_223_372_036_854_775_808 {
            return String(Int64(value))
        }
        return value.description
    }

    /// Appends `text` escaped: backslash and newline always, double quote inside label values
    /// (`quotes`), as the format requires; HELP text leaves quotes alone.
    static func appendEscaped(_ text: String, to output: inout String, quotes: Bool) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\"" where quotes: output += "\\\""
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`: a metric name.
    public static func isMetricName(_ name: String) -> Bool { isName(name, colons: true) }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved for Prometheus): a label name.
    public static func isLabelName(_ name: String) -> Bool { isName(name, colons: false) && !name.hasPrefix("__") }

    /// The shared grammar of both kinds of names, over ASCII bytes.
    private static func isName(_ name: String, colons: Bool) -> Bool {
        var first = true
        for byte in name.utf8 {
            let letter = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || (colons && byte == UInt8(ascii: ":"))
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if !(letter || (digit && !first)) { return false }
            first = false
        }
        return !first
    }
}
