/// The two loops of every word-vector update, over rows of `count` floats (the dimensions), in SIMD
/// lanes: a strict-order scalar reduction would not vectorise.
enum VectorMath {
    /// Σ a[k]·b[k].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var (s0, s1) = (SIMD8<Float>(), SIMD8<Float>())
        var k = 0
        while k + 16 <= count {
            s0 += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self)
            s1 += UnsafeRawPointer(a + k + 8).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + k + 8).loadUnaligned(as: SIMD8<Float>.self)
            k += 16
        }
        var sum = (s0 + s1).sum()
        while k < count {
            sum += a[k] * b[k]
            k += 1
        }
        return sum
    }

    /// y[k] += alpha·x[k].
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        let scale = SIMD8<Float>(repeating: alpha)
        var k = 0
        while k + 8 <= count {
            let sum = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
                + scale * UnsafeRawPointer(x + k).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + k).storeBytes(of: sum, as: SIMD8<Float>.self)
            k += 8
        }
        while k < count {
            y[k] += alpha * x[k]
            k += 1
        }
    }
}
