import Glibc

/// xoshiro256** (Blackman & Vigna): a fast, seedable generator so every simulated rollout is
/// reproducible from `--seed`, independent of scheduling.
struct Xoshiro: RandomNumberGenerator {
    /// Generator state; never all zero.
    var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose state is expanded from `seed` with SplitMix64, as the authors advise.
    init(seed: UInt64) {
        var x = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&x); s1 = splitMix(&x); s2 = splitMix(&x); s3 = splitMix(&x)
    }

    /// A seed derived from several integers (seed, cell, rollout, stream), well mixed.
    static func derive(_ parts: UInt64...) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for p in parts {
            h ^= p &+ 0x9E37_79B9_7F4A_7C15 &+ (h << 6) &+ (h >> 2)
            h = (h ^ (h >> 31)) &* 0x7FB5_D329_728E_A185
        }
        return h
    }

    /// A seed from a name: FNV-1a of its bytes.
    static func seed(named name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Next 64 bits.
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// Standard normal (Box–Muller; one of the pair is discarded for simplicity).
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// Poisson(λ): multiplication for small λ, Hörmann's PTRS above.
    mutating func poisson(_ lambda: Double) -> UInt64 {
        if lambda <= 0 { return 0 }
        if lambda < 12 {
            let limit = exp(-lambda)
            var product = uniform()
            var k: UInt64 = 0
            while product > limit && k < 1_000 {
                product *= uniform()
                k += 1
            }
            return k
        }
        let slam = lambda.squareRoot(), logLambda = log(lambda)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        for _ in 0..<1_000 {
            let u = uniform() - 0.5
            let v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return UInt64(max(k, 0)) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - lgamma(k + 1) {
                return UInt64(k)
            }
        }
        return UInt64(lambda.rounded())
    }

    /// Binomial(n, p): inversion when the mean is small (the common case here: errors and slow
    /// requests), a rounded normal when it is large (only host splits and per-minute totals).
    mutating func binomial(_ n: UInt64, _ p: Double) -> UInt64 {
        if n == 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        if p > 0.5 { return n - binomial(n, 1 - p) }
        let mean = Double(n) * p
        if mean > 150 {
            let x = (mean + (mean * (1 - p)).squareRoot() * normal()).rounded()
            return UInt64(min(max(x, 0), Double(n)))
        }
        let q = 1 - p, ratio = p / q
        var probability = exp(Double(n) * log1p(-p))
        var u = uniform()
        var k: UInt64 = 0
        while u > probability && k < n {
            u -= probability
            k += 1
            probability *= ratio * Double(n - k + 1) / Double(k)
        }
        return k
    }

    /// Gamma(shape, scale 1) by Marsaglia–Tsang (with the shape < 1 boost).
    mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 { return gamma(shape + 1) * pow(uniform(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        for _ in 0..<1_000 {
            let x = normal()
            let v = (1 + c * x) * (1 + c * x) * (1 + c * x)
            if v <= 0 { continue }
            if log(uniform()) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
        return shape
    }

    /// The k-th smallest of n uniforms: Beta(k, n + 1 − k) as a ratio of gammas.
    mutating func uniformOrderStatistic(_ k: UInt64, of n: UInt64) -> Double {
        let a = gamma(Double(k)), b = gamma(Double(n + 1 - k))
        return a / (a + b)
    }
}
