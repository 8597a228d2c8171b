import Core
import Graph
import Kernels

/// Turns one node into one kernel call over fixed addresses. Shapes and addresses are resolved
/// here, once, so that a step does no bookkeeping when it runs.
struct Lowering {
    let nodes: [Node]
    let plan: MemoryPlan
    /// Where the program's own block and its scratch start.
    let own: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let random: RandomSource
    /// Threads a large kernel may split its work over (see `sgemm(threads:…)`).
    let threads: Int
    /// The threads the step being lowered splits over, for `SEQLAB_DEBUG=1`'s report of idle threads.
    private var parts = 1

    init(nodes: [Node], plan: MemoryPlan, own: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
         random: RandomSource, threads: Int) {
        self.nodes = nodes
        self.plan = plan
        (self.own, self.scratch) = (own, scratch)
        self.random = random
        self.threads = threads
    }

    func address(_ id: Int) -> UnsafeMutablePointer<Float> { plan.address(of: id, own: own, scratch: scratch) }

    /// The kernel call computing `id`, or nil when nothing runs (leaves, views, fused adds).
    mutating func step(for id: Int) -> Program.Step? {
        let node = nodes[id]
        parts = 1
        if plan.fusedAdds.contains(id) || plan.root[id] != id && !isAccumulatingMatmul(id) { return nil }
        let out = address(id)
        let x = node.inputs.map { UnsafePointer(address($0)) }
        let shapes = node.inputs.map { nodes[$0].shape.dims }
        let count = node.shape.count
        let dims = node.shape.dims
        let run: () -> Void

        switch node.op {
        case .input, .parameter, .buffer, .constant, .reshape:
            return nil
        case .randomUniform:
            let random = random
            let fill = split(count) { range in SeededGenerator.fillUniform(out, range: range, key: random.key) }
            run = { random.nextKey(); fill() }
        case .dropoutMask(let p):
            let random = random
            let fill = split(count) { range in SeededGenerator.fillDropoutMask(out, range: range, key: random.key, p: p) }
            run = { random.nextKey(); fill() }
        case .unary(let op):
            run = split(count) { range in unary(op, x[0] + range.lowerBound, out + range.lowerBound, count: range.count) }
        case .binary(let op) where shapes[0] == dims && shapes[1] == dims:
            run = split(count) { range in
                binary(op, x[0] + range.lowerBound, aShape: [range.count], x[1] + range.lowerBound, bShape: [range.count],
                       out + range.lowerBound, outShape: [range.count])
            }
        case .binary(let op) where !dims.isEmpty:
            // Broadcast (a LayerNorm's gain against (B, T, C)): rows of the leading axis apart over the
            // threads, cut from every operand that spans that axis. With an even number of rows on two
            // threads these are the halves the elementwise ops around it split too (theirs are cut by floats),
            // so neither core reads what the other just wrote: on the 2-core EPYC VM a 98k-float
            // multiply after a split one took 46 µs run whole, against 25 µs when both ran on one core.
            let rowFloats = count / max(dims[0], 1)
            let operands = zip(x, shapes).map { RowCut(start: $0, shape: $1, outputShape: dims) }
            run = split(dims[0], grain: rowFloats) { rows in
                let (a, b) = (operands[0].cut(rows), operands[1].cut(rows))
                binary(op, a.start, aShape: a.shape, b.start, bShape: b.shape, out + rows.lowerBound * rowFloats,
                       outShape: [rows.count] + dims.dropFirst())
            }
        case .binary(let op):
            run = { binary(op, x[0], aShape: shapes[0], x[1], bShape: shapes[1], out, outShape: dims) }
        case .select:
            run = { select(x[0], x[1], x[2], out, count: count) }
        case .reduce(let op, let axes):
            run = { reduce(op, x[0], shape: shapes[0], axes: axes, out) }
        case .permute(let perm) where !dims.isEmpty:
            // Output rows apart over the threads: the (B, T, H, D) ↔ (B, H, T, D) head splits of attention.
            run = split(dims[0], grain: count / max(dims[0], 1)) { rows in
                permute(x[0], shape: shapes[0], perm: perm, out, outputRows: rows)
            }
        case .permute(let perm):
            run = { permute(x[0], shape: shapes[0], perm: perm, out) }
        case .expand:
            run = { expand(x[0], shape: shapes[0], to: dims, out) }
        case .slice(let axis, let start, let end):
            run = { slice(x[0], shape: shapes[0], axis: axis, start: start, end: end, out) }
        case .pad(let axis, let before, let after):
            run = { pad(x[0], shape: shapes[0], axis: axis, before: before, after: after, out) }
        case .concat(let axis):
            run = { concat(x, shapes: shapes, axis: axis, out) }
        case .matmul(let ta, let tb):
            run = matmul(a: x[0], b: x[1], layouts: [node.inputs[0], node.inputs[1], id].map(layout), ta: ta, tb: tb,
                         out: out, beta: isAccumulatingMatmul(id) ? 1 : 0)
        case .argmax:
            let cols = shapes[0].last ?? 1
            run = { argmaxRows(x[0], rows: count, cols: cols, out) }
        case .gather:
            let (rows, cols, n) = (shapes[0][0], shapes[0][1], nodes[node.inputs[1]].shape.count)
            run = { gatherRows(x[0], rows: rows, cols: cols, indices: x[1], count: n, out) }
        case .scatterAdd(let rows):
            let (cols, n) = (dims[1], nodes[node.inputs[1]].shape.count)
            run = { scatterAddRows(x[0], indices: x[1], count: n, cols: cols, out, rows: rows) }
        case .logSoftmaxNLL(let ignore, let smoothing):
            // Rows apart over the threads, their terms summed in row order: the same loss at any thread count.
            let (rows, cols) = (shapes[0][0], shapes[0][1])
            let terms = RowTerms(count: rows)
            let perRows = split(rows, grain: cols) { range in
                logSoftmaxNLLTerms(x[0], targets: x[1], rows: range, cols: cols, ignoreIndex: ignore, smoothing: smoothing,
                                   into: terms.values)
            }
            run = {
                perRows()
                out[0] = meanOfScoredTerms(terms.values, rows: rows,
                                           scored: scoredRowCount(targets: x[1], rows: rows, cols: cols, ignoreIndex: ignore))
            }
        case .logSoftmaxNLLGrad(let ignore, let smoothing):
            let (rows, cols) = (shapes[0][0], shapes[0][1])
            var scale: Float = 0
            let perRows = split(rows, grain: cols) { range in
                logSoftmaxNLLBackward(x[0], targets: x[1], rows: range, cols: cols, ignoreIndex: ignore, smoothing: smoothing,
                                      scale: scale, out)
            }
            run = {
                scale = scoredScale(targets: x[1], rows: rows, cols: cols, ignoreIndex: ignore, gradLoss: x[2][0])
                perRows()
            }
        case .layerNorm(let eps):
            // Rows are independent: apart over the threads, with the same results at any count.
            let cols = dims.last!
            run = split(count / cols, grain: cols) { rows in
                let start = rows.lowerBound * cols
                layerNorm(x[0] + start, rows: rows.count, cols: cols, eps: eps, out + start)
            }
        case .layerNormGrad(let eps):
            let cols = dims.last!
            run = split(count / cols, grain: cols) { rows in
                let start = rows.lowerBound * cols
                layerNormBackward(x[0] + start, x[1] + start, rows: rows.count, cols: cols, eps: eps, out + start)
            }
        case .softmax:
            let cols = dims.last!
            let mask = x.count > 1 ? x[1] : nil, maskRows = shapes.count > 1 ? shapes[1][0] : 1
            // Split in whole repeats of the mask, so that every part starts at the mask's first row.
            let block = maskRows * cols
            run = split(count / block, grain: block) { blocks in
                let start = blocks.lowerBound * block
                softmax(x[0] + start, rows: blocks.count * maskRows, cols: cols, mask: mask, maskRows: maskRows, out + start)
            }
        case .softmaxGrad:
            let cols = dims.last!
            run = split(count / cols, grain: cols) { rows in
                let start = rows.lowerBound * cols
                softmaxBackward(x[0] + start, x[1] + start, rows: rows.count, cols: cols, out + start)
            }
        // The cells' batch rows are independent: apart over the threads (row b0 of each operand is at
        // b0 times its width), with the same results at any count. The grain is a row's gates.
        case .gruCell:
            let (batch, hidden) = (dims[0], dims[1])
            run = split(batch, grain: 3 * hidden) { rows in
                let (gates, state) = (rows.lowerBound * 3 * hidden, rows.lowerBound * hidden)
                gruCell(gi: x[0] + gates, gh: x[1] + gates, h: x[2] + state, batch: rows.count, hidden: hidden, out + state)
            }
        case .gruCellGrad:
            let (batch, hidden) = (shapes[2][0], shapes[2][1]), gateCount = batch * 3 * hidden
            run = split(batch, grain: 3 * hidden) { rows in
                let (gates, state) = (rows.lowerBound * 3 * hidden, rows.lowerBound * hidden)
                gruCellBackward(gi: x[0] + gates, gh: x[1] + gates, h: x[2] + state, gOut: x[3] + state, batch: rows.count,
                                hidden: hidden, dgi: out + gates, dgh: out + gateCount + gates,
                                dh: out + 2 * gateCount + state)
            }
        case .lstmCell:
            let (batch, hidden) = (shapes[1][0], shapes[1][1])
            run = split(batch, grain: 4 * hidden) { rows in
                let (gates, state) = (rows.lowerBound * 4 * hidden, rows.lowerBound * hidden)
                lstmCell(gates: x[0] + gates, c: x[1] + state, batch: rows.count, hidden: hidden, cellOut: out + state,
                         hiddenOut: out + batch * hidden + state)
            }
        case .lstmCellGrad:
            let (batch, hidden) = (shapes[1][0], shapes[1][1])
            run = split(batch, grain: 4 * hidden) { rows in
                let (gates, state) = (rows.lowerBound * 4 * hidden, rows.lowerBound * hidden)
                lstmCellBackward(gates: x[0] + gates, c: x[1] + state, gradHidden: x[2] + batch * hidden + state,
                                 gradCell: x[2] + state, batch: rows.count, hidden: hidden, dGates: out + gates,
                                 dc: out + 4 * batch * hidden + state)
            }
        }
        return Program.Step(name: stepName(node), parts: parts, run: run)
    }

    /// A kernel over `units` independent units of `grain` floats each, split over the threads when
    /// there is enough work to pay for the hand-off.
    private mutating func split(_ units: Int, grain: Int = 1, _ body: @escaping (Range<Int>) -> Void) -> () -> Void {
        let threads = units * grain >= Self.parallelElementMinimum ? self.threads : 1
        parts = max(1, min(threads, units))
        return { parallelFor(units, threads: threads, body) }
    }

    /// The fewest floats an elementwise or row-wise kernel splits over threads.
    private static let parallelElementMinimum = 1 << 14

    /// The op's name; GEMMs carry their M×K×N (and transposes) so that timings show which product costs.
    private func stepName(_ node: Node) -> String {
        guard case .matmul(let ta, let tb) = node.op else { return node.op.name }
        let a = nodes[node.inputs[0]].shape.dims, r = a.count
        let k = ta ? a[r - 2] : a[r - 1]
        let (m, n) = (node.shape[r - 2], node.shape[r - 1])
        let batch = node.shape.count / (m * n)
        return "matmul \(batch > 1 ? "\(batch)×" : "")\(m)x\(k)x\(n)" + (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : "")
            + (isAccumulatingMatmul(node.id) ? " +=" : "")
    }

    private func isAccumulatingMatmul(_ id: Int) -> Bool { plan.accumulateInto[id] != nil }

    /// A matmul operand's or result's shape and its element strides per axis: row-major, or the
    /// permuted ones of a permute folded into the product (`MemoryPlan.strides`).
    private func layout(_ id: Int) -> MatrixLayout {
        let shape = nodes[id].shape
        return MatrixLayout(dims: shape.dims, strides: plan.strides[id] ?? shape.strides)
    }

    /// C = op(A)·op(B) (+ C when accumulating), batched over equal leading dimensions. Each matrix's rows
    /// are `strides[rank − 2]` apart (its leading dimension), its columns adjacent.
    private mutating func matmul(a: UnsafePointer<Float>, b: UnsafePointer<Float>, layouts: [MatrixLayout], ta: Bool, tb: Bool,
                                 out: UnsafeMutablePointer<Float>, beta: Float) -> () -> Void {
        let (aLayout, bLayout, cLayout) = (layouts[0], layouts[1], layouts[2])
        let rank = aLayout.dims.count
        let (aRows, aCols) = (aLayout.dims[rank - 2], aLayout.dims[rank - 1])
        let (m, k) = ta ? (aCols, aRows) : (aRows, aCols)
        let n = tb ? bLayout.dims[rank - 2] : bLayout.dims[rank - 1]
        let (lda, ldb, ldc) = (aLayout.leading, bLayout.leading, cLayout.leading)
        let threads = self.threads
        // One large product splits its rows; a batch of small ones (attention's per-head products)
        // splits the batch.
        let batch = cLayout.dims.dropLast(2).reduce(1, *)
        if batch == 1 {
            parts = sgemmParts(threads: threads, m: m, n: n, k: k)
            return {
                sgemm(threads: threads, transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: out, ldc: ldc)
            }
        }
        let (offsetsA, offsetsB, offsetsC) = (aLayout.matrixOffsets(), bLayout.matrixOffsets(), cLayout.matrixOffsets())
        let batchThreads = 2 * batch * m * n * k >= parallelGemmMinimumFlops ? threads : 1
        parts = min(batchThreads, batch)
        return {
            parallelFor(batch, threads: batchThreads) { range in
                for i in range {
                    sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a + offsetsA[i], lda: lda,
                          b: b + offsetsB[i], ldb: ldb, beta: beta, c: out + offsetsC[i], ldc: ldc)
                }
            }
        }
    }
}

/// A matmul operand's dims and element strides: a batch of matrices over the leading axes.
private struct MatrixLayout {
    let dims: [Int]
    let strides: [Int]

    /// Elements between the starts of two rows of one matrix.
    var leading: Int { strides[strides.count - 2] }

    /// Where each matrix of the batch starts, in row-major order of the leading axes.
    func matrixOffsets() -> [Int] {
        var offsets = [0]
        for axis in 0..<(dims.count - 2) {
            offsets = offsets.flatMap { base in (0..<dims[axis]).map { base + $0 * strides[axis] } }
        }
        return offsets
    }
}

/// A step's own Double scratch (the row terms of a loss), freed with the program that holds the step.
private final class RowTerms {
    let values: UnsafeMutablePointer<Double>

    init(count: Int) { values = .allocate(capacity: max(count, 1)) }

    deinit { values.deallocate() }
}

/// One operand of a broadcast, cut to some rows of the output's leading axis: an operand that spans
/// that axis (same rank, same length) gives those rows, one broadcast along it is read whole.
private struct RowCut {
    let start: UnsafePointer<Float>
    let shape: [Int]
    /// Floats per leading row, nil when the operand broadcasts along the axis.
    let rowFloats: Int?

    init(start: UnsafePointer<Float>, shape: [Int], outputShape: [Int]) {
        (self.start, self.shape) = (start, shape)
        // Shapes align on the right: only an operand of the output's rank has its leading axis.
        let spans = shape.count == outputShape.count && shape[0] == outputShape[0] && shape[0] > 1
        rowFloats = spans ? shape.reduce(1, *) / shape[0] : nil
    }

    private init(start: UnsafePointer<Float>, shape: [Int]) {
        (self.start, self.shape, rowFloats) = (start, shape, nil)
    }

    func cut(_ rows: Range<Int>) -> RowCut {
        guard let rowFloats else { return self }
        return RowCut(start: start + rows.lowerBound * rowFloats, shape: [rows.count] + shape.dropFirst())
    }
}
