import Glibc

/// Number formatting for reasons and reports, without Foundation.
enum Format {
    /// `x` with `digits` decimals.
    static func decimal(_ x: Double, _ digits: Int) -> String {
        if x.isNaN { return "n/a" }
        if x.isInfinite { return x > 0 ? "∞" : "-∞" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(x) * scale).rounded()
        let whole = Int(rounded / scale)
        let fraction = Int(rounded - Double(whole) * scale)
        var text = (x < 0 && rounded > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: max(0, digits - f.count)) + f
        }
        return text
    }

    /// A share as a percentage ("5 %", "0.52 %").
    static func percent(_ share: Double) -> String {
        let p = share * 100
        return decimal(p, p >= 10 || p == p.rounded() ? 0 : (p >= 1 ? 1 : 2)) + " %"
    }

    /// Seconds, whole.
    static func seconds(_ s: Double) -> String { decimal(s, 0) + " s" }

    /// Nanoseconds as milliseconds.
    static func milliseconds(_ ns: UInt64) -> String {
        let ms = Double(ns) / 1e6
        return decimal(ms, ms >= 100 ? 0 : (ms >= 10 ? 1 : 2)) + " ms"
    }

    /// An e-value, compactly ("37", "1.2e6").
    static func evidence(_ e: Double) -> String {
        if e < 1_000 { return decimal(e, e < 10 ? 2 : 0) }
        let exponent = Int(log10(e))
        return decimal(e / pow(10, Double(exponent)), 1) + "e\(exponent)"
    }

    /// "p99", "p99.9".
    static func quantileName(_ q: Double) -> String {
        let p = q * 100
        return "p" + (p == p.rounded() ? decimal(p, 0) : decimal(p, 1))
    }

    /// A ratio with its interval, "1.02 [0.81, 1.31]".
    static func ratio(_ r: Double?, _ interval: ClosedRange<Double>) -> String {
        guard let r else { return "n/a (no events yet)" }
        return decimal(r, 2) + " [" + decimal(interval.lowerBound, 2) + ", " + decimal(interval.upperBound, 2) + "]"
    }
}
