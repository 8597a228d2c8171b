import Core
import Graph

extension Graph {
    /// One rule per op: given the upstream gradient g of `node`, the gradient of each input (nil where
    /// the input needs none or has none). Gradients of broadcast operands go through `unbroadcast`.
    /// Values of forward nodes come through `recomputation`, which may compute an activation again
    /// instead of keeping it (see `Recomputation`).
    func vectorJacobian(_ node: Node, upstream g: Tensor, wanted: [Bool], recomputation: inout Recomputation) throws -> [Tensor?] {
        let x = node.inputs.map(tensor)
        let y = tensor(node.id)
        func only(_ index: Int, _ rule: () throws -> Tensor) rethrows -> Tensor? { wanted[index] ? try rule() : nil }
        func recomputed(_ t: Tensor) throws -> Tensor { try recomputation.value(of: t) }

        switch node.op {
        case .input, .parameter, .buffer, .constant, .randomUniform, .dropoutMask:
            return []
        case .unary(let op):
            switch op {
            case .neg: return [-g]
            case .exp: return [try g * y]
            case .log: return [try g / x[0]]
            case .sqrt: return [try g * 0.5 / y]
            case .tanh: return [try g * (1 - y * y)]
            case .erf: return [try g * (try (x[0] * x[0]).neg().exp() * Float(2 / Double.pi.squareRoot()))]
            case .abs: return [try g * (x[0].greater(constant(0)) - constant(0).greater(x[0]))]
            case .gelu: return [try x[0].binary(.geluGrad, g)]
            }
        case .binary(let op):
            let (a, b) = (x[0], x[1])
            switch op {
            case .add: return [try only(0) { try g.unbroadcasted(to: a.shape) }, try only(1) { try g.unbroadcasted(to: b.shape) }]
            case .sub: return [try only(0) { try g.unbroadcasted(to: a.shape) }, try only(1) { try (-g).unbroadcasted(to: b.shape) }]
            case .mul: return [try only(0) { try (g * recomputed(b)).unbroadcasted(to: a.shape) },
                               try only(1) { try (g * recomputed(a)).unbroadcasted(to: b.shape) }]
            case .div: return [try only(0) { try (g / b).unbroadcasted(to: a.shape) },
                               try only(1) { try (-(try g * y / b)).unbroadcasted(to: b.shape) }]
            case .maximum:
                let mask = try a.greater(b)
                return [try only(0) { try (g * mask).unbroadcasted(to: a.shape) },
                        try only(1) { try (g * (1 - mask)).unbroadcasted(to: b.shape) }]
            case .greater: return [nil, nil]  // piecewise constant: zero almost everywhere
            case .geluGrad: throw AutodiffError.noGradientRule(op: node.op.name, node: node.id)
            }
        case .argmax:
            return [nil]   // piecewise constant: zero almost everywhere
        case .select:
            let zero = constant(0, shape: g.shape)
            return [nil, try only(1) { try g.selected(where: x[0], else: zero) }, try only(2) { try zero.selected(where: x[0], else: g) }]
        case .reduce(.sum, _):
            return [try g.expanded(to: x[0].shape)]
        case .reduce(.max, _):
            // Every position equal to the maximum receives the gradient.
            let atMax = try 1 - y.expanded(to: x[0].shape).greater(x[0])
            return [try g.expanded(to: x[0].shape) * atMax]
        case .reshape:
            return [try g.reshaped(to: x[0].shape)]
        case .permute(let perm):
            var inverse = perm
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return [try g.permuted(inverse)]
        case .expand:
            return [try g.unbroadcasted(to: x[0].shape)]
        case .slice(let axis, let start, let end):
            return [try g.padded(axis: axis, before: start, after: x[0].shape[axis] - end)]
        case .pad(let axis, let before, _):
            return [try g.sliced(axis: axis, before..<(before + x[0].shape[axis]))]
        case .concat(let axis):
            var start = 0
            return try x.enumerated().map { index, part in
                defer { start += part.shape[axis] }
                return try only(index) { try g.sliced(axis: axis, start..<(start + part.shape[axis])) }
            }
        case .matmul(let ta, let tb):
            // C = op(A)·op(B): dA = g·op(B)ᵀ (or its transpose), dB = op(A)ᵀ·g (or its transpose).
            return [try only(0) {
                        let b = try recomputed(x[1])
                        return ta ? try b.matmul(g, transposeA: tb, transposeB: true) : try g.matmul(b, transposeB: !tb)
                    },
                    try only(1) {
                        let a = try recomputed(x[0])
                        return tb ? try g.matmul(a, transposeA: true, transposeB: ta) : try a.matmul(g, transposeA: !ta)
                    }]
        case .gather:
            return [try g.scatteredAdd(at: x[1], rows: x[0].shape[0]), nil]
        case .scatterAdd:
            return [try g.gathered(at: x[1]), nil]
        case .logSoftmaxNLL(let ignore, let smoothing):
            return [Tensor.logSoftmaxNLLGradient(logits: x[0], targets: x[1], upstream: g, ignoreIndex: ignore, smoothing: smoothing),
                    nil]
        case .layerNorm(let eps):
            return [Tensor.layerNormGradient(x: x[0], upstream: g, eps: eps)]
        case .softmax:
            if wanted.count > 1 && wanted[1] { throw AutodiffError.noGradientRule(op: "softmax mask", node: node.id) }
            return [Tensor.softmaxGradient(y: y, upstream: g), nil]
        case .gruCell:
            return try Tensor.gruCellGradients(inputGates: x[0], hiddenGates: x[1], state: x[2], upstream: g)
        case .lstmCell:
            return try Tensor.lstmCellGradients(gates: x[0], cell: x[1], upstream: g)
        case .logSoftmaxNLLGrad, .layerNormGrad, .softmaxGrad, .gruCellGrad, .lstmCellGrad:
            throw AutodiffError.noGradientRule(op: node.op.name, node: node.id)
        }
    }
}

extension Tensor {
    /// Sums a broadcast gradient back to `shape`: over added leading axes and over axes that were 1.
    public func unbroadcasted(to target: Shape) throws -> Tensor {
        if shape == target { return self }
        let leading = rank - target.rank
        let axes = (0..<rank).filter { $0 < leading || (target[$0 - leading] == 1 && shape[$0] != 1) }
        return try sum(axes: axes, keepingDims: true).reshaped(to: target)
    }
}
