/// The pointwise halves of GRU and LSTM steps, in PyTorch's gate layouts. The matmuls that produce the
/// gate pre-activations stay in the graph (and in BLAS); these kernels fuse everything after them, so a
/// step reads the gates once and writes the new state once instead of going through a dozen elementwise
/// ops. Backward kernels recompute the gates from their pre-activations rather than caching them.
///
/// Each loop walks the hidden axis eight units at a time (`forEachChunk`) with the vector sigmoid and tanh
/// of FastMath; each gate block has its own base pointer.

// MARK: GRU

/// h' = (1 - z)·n + z·h with r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n).
/// gi = x·W_ihᵀ + b_ih, gh = h·W_hhᵀ + b_hh: (batch, 3·hidden) in order r, z, n; h, out: (batch, hidden).
/// `out` may alias `h`.
public func gruCell(gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>, batch: Int, hidden: Int,
                    _ out: UnsafeMutablePointer<Float>) {
    for b in 0..<batch {
        let gates = GRURow(gi: gi, gh: gh, batch: b, hidden: hidden)
        let previous = h + b * hidden, next = out + b * hidden
        forEachChunk(hidden) { j, width in
            let (_, z, n) = gates.activations(j, width)
            store8(n + z * (load8(previous + j, width) - n), next + j, width)
        }
    }
}

/// Gradients of `gruCell` given gOut = dL/dh' (batch, hidden), all three from one pass over the gates:
/// dgi, dgh (batch, 3·hidden) and dh (batch, hidden), overwritten. dh is only the direct path h → h';
/// the path through gh reaches h via the graph's matmul. dgh equals dgi except on n, where gh_n enters
/// scaled by r.
public func gruCellBackward(gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, h: UnsafePointer<Float>,
                            gOut: UnsafePointer<Float>, batch: Int, hidden: Int,
                            dgi: UnsafeMutablePointer<Float>, dgh: UnsafeMutablePointer<Float>,
                            dh: UnsafeMutablePointer<Float>) {
    for b in 0..<batch {
        let gates = GRURow(gi: gi, gh: gh, batch: b, hidden: hidden)
        let previous = h + b * hidden, g = gOut + b * hidden, dState = dh + b * hidden
        let inputR = dgi + b * 3 * hidden, inputZ = inputR + hidden, inputN = inputZ + hidden
        let hiddenR = dgh + b * 3 * hidden, hiddenZ = hiddenR + hidden, hiddenN = hiddenZ + hidden
        forEachChunk(hidden) { j, width in
            let upstream = load8(g + j, width)
            let d = gates.gradients(j, width, gOut: upstream, previous: load8(previous + j, width))
            store8(d.r, inputR + j, width)
            store8(d.z, inputZ + j, width)
            store8(d.n, inputN + j, width)
            store8(d.r, hiddenR + j, width)
            store8(d.z, hiddenZ + j, width)
            store8(d.n * d.resetGate, hiddenN + j, width)
            store8(upstream * d.updateGate, dState + j, width)
        }
    }
}

/// One batch row of GRU gate pre-activations, gi and gh each (3·hidden) in order r, z, n, as one pointer
/// per gate block.
private struct GRURow {
    let giR, giZ, giN, ghR, ghZ, ghN: UnsafePointer<Float>

    @inline(__always)
    init(gi: UnsafePointer<Float>, gh: UnsafePointer<Float>, batch: Int, hidden: Int) {
        giR = gi + batch * 3 * hidden
        giZ = giR + hidden
        giN = giZ + hidden
        ghR = gh + batch * 3 * hidden
        ghZ = ghR + hidden
        ghN = ghZ + hidden
    }

    /// r, z, n of hidden units j..<j+width.
    @inline(__always)
    func activations(_ j: Int, _ width: Int) -> (r: Float8, z: Float8, n: Float8) {
        let r = sigmoid8(load8(giR + j, width) + load8(ghR + j, width))
        let n = tanh8(load8(giN + j, width) + r * load8(ghN + j, width))
        return (r, sigmoid8(load8(giZ + j, width) + load8(ghZ + j, width)), n)
    }

    /// dL/d(pre-activation) of r, z and n for units j..<j+width given dL/dh' and h there, and r and z themselves.
    @inline(__always)
    func gradients(_ j: Int, _ width: Int, gOut: Float8, previous: Float8)
        -> (r: Float8, z: Float8, n: Float8, resetGate: Float8, updateGate: Float8) {
        let (r, z, n) = activations(j, width)
        let dn = gOut * (1 - z) * (1 - n * n)
        let dz = gOut * (previous - n) * z * (1 - z)
        // r reaches the loss through n = tanh(gi_n + r·gh_n).
        let dr = dn * load8(ghN + j, width) * r * (1 - r)
        return (dr, dz, dn, r, z)
    }
}

// MARK: LSTM

/// c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh: (batch, 4·hidden)
/// in order i, f, g, o; c, cellOut, hiddenOut: (batch, hidden), both outputs from one pass.
public func lstmCell(gates: UnsafePointer<Float>, c: UnsafePointer<Float>, batch: Int, hidden: Int,
                     cellOut: UnsafeMutablePointer<Float>, hiddenOut: UnsafeMutablePointer<Float>) {
    for b in 0..<batch {
        let row = LSTMRow(gates: gates, c: c, batch: b, hidden: hidden)
        let cellRow = cellOut + b * hidden, hiddenRow = hiddenOut + b * hidden
        forEachChunk(hidden) { j, width in
            let a = row.activations(j, width)
            store8(a.cell, cellRow + j, width)
            store8(a.o * tanh8(a.cell), hiddenRow + j, width)
        }
    }
}

/// Gradients of `lstmCell` given gradHidden = dL/dh' and gradCell = dL/dc' (each (batch, hidden); pass
/// zeros for one the loss does not reach). Writes dGates (batch, 4·hidden) and dc (batch, hidden).
public func lstmCellBackward(gates: UnsafePointer<Float>, c: UnsafePointer<Float>,
                             gradHidden: UnsafePointer<Float>, gradCell: UnsafePointer<Float>, batch: Int, hidden: Int,
                             dGates: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>) {
    for b in 0..<batch {
        let row = LSTMRow(gates: gates, c: c, batch: b, hidden: hidden)
        let gh = gradHidden + b * hidden, gc = gradCell + b * hidden
        let gateRow = dGates + b * 4 * hidden, cellRow = dc + b * hidden
        forEachChunk(hidden) { j, width in
            let a = row.activations(j, width)
            // dL/dc' in total: the direct gradient plus the path through h' = σ(o)·tanh(c').
            let g = load8(gh + j, width), t = tanh8(a.cell)
            let dCell = load8(gc + j, width) + g * a.o * (1 - t * t)
            let i = gateRow + j, f = i + hidden, gate = f + hidden, o = gate + hidden
            store8(dCell * a.g * a.i * (1 - a.i), i, width)
            store8(dCell * a.previous * a.f * (1 - a.f), f, width)
            store8(dCell * a.i * (1 - a.g * a.g), gate, width)
            store8(g * t * a.o * (1 - a.o), o, width)
            store8(dCell * a.f, cellRow + j, width)
        }
    }
}

/// One batch row of LSTM gate pre-activations (4·hidden, in order i, f, g, o) as one pointer per gate
/// block, and its cell state.
private struct LSTMRow {
    let i, f, g, o, c: UnsafePointer<Float>

    @inline(__always)
    init(gates: UnsafePointer<Float>, c: UnsafePointer<Float>, batch: Int, hidden: Int) {
        i = gates + batch * 4 * hidden
        f = i + hidden
        g = f + hidden
        o = g + hidden
        self.c = c + batch * hidden
    }

    /// σ(i), σ(f), tanh(g), σ(o), c and c' of hidden units j..<j+width.
    @inline(__always)
    func activations(_ j: Int, _ width: Int)
        -> (i: Float8, f: Float8, g: Float8, o: Float8, previous: Float8, cell: Float8) {
        let i = sigmoid8(load8(self.i + j, width))
        let f = sigmoid8(load8(self.f + j, width))
        let g = tanh8(load8(self.g + j, width))
        let o = sigmoid8(load8(self.o + j, width))
        let previous = load8(c + j, width)
        return (i, f, g, o, previous, f * previous + i * g)
    }
}
