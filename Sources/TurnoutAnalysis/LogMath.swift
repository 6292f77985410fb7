import Glibc

/// Log-space helpers: martingales are kept as logarithms so products of thousands of
/// likelihood ratios neither overflow nor underflow.
enum LogMath {
    /// log(Σ exp(terms)), computed stably.
    static func logSumExp(_ terms: [Double]) -> Double {
        var peak = -Double.infinity
        for t in terms where t > peak { peak = t }
        if peak == -.infinity { return peak }
        var total = 0.0
        for t in terms { total += exp(t - peak) }
        return peak + log(total)
    }

    /// exp(x) for reports, saturating instead of returning infinity for very strong evidence.
    static func boundedExp(_ x: Double) -> Double { x > 700 ? exp(700) : exp(x) }
}
