/// exp, tanh and sigmoid on eight lanes.
///
/// glibc's `expf` and `tanhf` are opaque calls, one element at a time, and they dominate an RNN step
/// (three or four of them per hidden unit) and every softmax row. These are the Cephes polynomials on
/// `SIMD8<Float>`: clamps and special cases are lane selects and the power of two is built from bits, so
/// nothing branches. On the GRU step of the benchmark shapes that is about three times faster than the
/// libm calls, and `FastMathTests` holds the results to a few ulp of Foundation's Double ones.
///
/// Kernels call these on explicit vectors rather than writing scalar loops for the compiler to vectorise:
/// a loop that reads several gate blocks and writes several others needs more runtime aliasing checks than
/// the vectoriser will emit, and it silently stays scalar.

/// e^x: ~1 ulp on [-87, 88]; +inf above ln(Float.greatestFiniteMagnitude), gradual underflow to 0 below
/// -87.3, NaN for NaN.
@inline(__always)
func exp8(_ x: Float8) -> Float8 {
    let maxArgument = Float8(repeating: 88.722_83)
    // Clamping keeps the power of two within [-150, 128]; NaN fails both compares and passes through.
    var v = x.replacing(with: maxArgument, where: x .> maxArgument)
    v.replace(with: -104, where: v .< -104)
    // n = round(v / ln 2) by adding 1.5·2^23: the rounded integer lands in the low mantissa bits of t.
    let shifter = Float8(repeating: 12_582_912)
    let t = v * 1.442_695_04 + shifter
    let n = t - shifter
    var k = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    // r = v - n·ln 2 with ln 2 split in two (Cody–Waite), so the reduction loses no bits.
    var r = v - n * 0.693_359_375
    r -= n * -2.121_944_4e-4
    var p = Float8(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * (r * r) + r + 1
    // 2^k as 2^(k/2)·2^(k - k/2): each factor is a normal float over the whole clamped range, so results
    // next to overflow and in the subnormal range round correctly instead of becoming inf or 0.
    let half = k &>> 1
    k &-= half
    p *= unsafeBitCast((half &+ 127) &<< 23, to: Float8.self)
    p *= unsafeBitCast((k &+ 127) &<< 23, to: Float8.self)
    p.replace(with: .infinity, where: x .> maxArgument)
    return p
}

/// tanh(x) from |x|, its sign copied back at the end (so tanh(-0) = -0): an odd polynomial for
/// |x| < 0.625, where 1 - 2/(e^2|x| + 1) would cancel, and that formula above. Large |x| gives
/// e^2|x| = +inf and exactly ±1, never NaN.
@inline(__always)
func tanh8(_ x: Float8) -> Float8 {
    let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
    let xBits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let a = unsafeBitCast(xBits & ~signBit, to: Float8.self)
    let z = a * a
    var p = Float8(repeating: -5.704_988_727_45e-3)
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    var magnitude = 1 - 2 / (exp8(a + a) + 1)
    magnitude.replace(with: a + a * z * p, where: a .< 0.625)
    return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | (xBits & signBit), to: Float8.self)
}

/// σ(x) = 1 / (1 + e^-x). Stable as written: for x below about -88, e^-x is +inf and σ is 0, and for large
/// x it tends to 1 without cancellation.
@inline(__always)
func sigmoid8(_ x: Float8) -> Float8 {
    1 / (1 + exp8(-x))
}

/// erf(x) as an odd rational function of x on [-4, 4] (beyond which erf is ±1 in fp32): the
/// minimax approximation XLA and Eigen use, within 4.2e-7 of erf everywhere. Absolute, not relative,
/// accuracy: 1 + erf(x) deep in the negative tail keeps only that absolute accuracy.
@inline(__always)
func erf8(_ x: Float8) -> Float8 {
    // Clamped by lane selects: `clamped(lowerBound:upperBound:)` compiles to two generic calls a lane at a
    // time (half of GELU's time); NaN fails both compares and passes through.
    var v = x.replacing(with: -4, where: x .< -4)
    v.replace(with: 4, where: v .> 4)
    let v2 = v * v
    var p = Float8(repeating: -2.726_142_258_013_06e-10)
    p = p * v2 + 2.770_681_424_959_02e-08
    p = p * v2 - 2.101_024_020_825_08e-06
    p = p * v2 - 5.692_506_394_623_46e-05
    p = p * v2 - 7.349_906_303_268_55e-04
    p = p * v2 - 2.954_599_808_540_25e-03
    p = p * v2 - 1.609_603_332_624_15e-02
    var q = Float8(repeating: -1.456_607_184_649_96e-05)
    q = q * v2 - 2.133_740_552_789_05e-04
    q = q * v2 - 1.682_826_974_382_03e-03
    q = q * v2 - 7.373_329_167_204_68e-03
    q = q * v2 - 1.426_473_905_141_89e-02
    return v * p / q
}

/// GELU, x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
@inline(__always)
func gelu8(_ x: Float8) -> Float8 {
    0.5 * x * (1 + erf8(x * 0.707_106_77))
}

/// GELU's derivative times the upstream gradient: g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π).
@inline(__always)
func geluGradient8(_ x: Float8, _ g: Float8) -> Float8 {
    let cdf = 0.5 * (1 + erf8(x * 0.707_106_77))
    let pdf = exp8(-0.5 * x * x) * 0.398_942_28
    return g * (cdf + x * pdf)
}

/// out[i] = f(x[i]) eight lanes at a time; `out` may alias `x`.
@inline(__always)
func map8(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ f: (Float8) -> Float8) {
    forEachChunk(count) { j, width in store8(f(load8(x + j, width)), out + j, width) }
}
