import Core
import Graph

public enum AutodiffError: Error, Equatable, CustomStringConvertible {
    /// The op has no vector-Jacobian rule (e.g. a gradient op differentiated a second time).
    case noGradientRule(op: String, node: Int)
    case nonScalarLoss(Shape)

    public var description: String {
        switch self {
        case .noGradientRule(let op, let node):
            "failed to compute gradient: \(op) (node %\(node)) has no gradient rule"
        case .nonScalarLoss(let shape):
            "the loss must be a scalar, not \(shape)"
        }
    }
}

extension Graph {
    /// Appends the backward nodes of `loss` (a scalar) and returns d loss / d target for each target,
    /// in order; a target the loss does not depend on gets a zero tensor.
    public func gradients(of loss: Tensor, withRespectTo targets: [Tensor]) throws -> [Tensor] {
        guard loss.shape == .scalar else { throw AutodiffError.nonScalarLoss(loss.shape) }
        let lastForward = nodes.count
        // needsGradient[i]: node i depends on some target, so the walk must pass through it.
        var needsGradient = [Bool](repeating: false, count: lastForward)
        for target in targets { needsGradient[target.id] = true }
        for node in nodes where !node.op.isLeaf && node.inputs.contains(where: { needsGradient[$0] }) {
            needsGradient[node.id] = true
        }
        var contributions: [Int: [Tensor]] = [loss.id: [constant(1)]]
        var finished: [Int: Tensor] = [:]
        var recomputation = Recomputation()
        for id in stride(from: loss.id, through: 0, by: -1) where needsGradient[id] {
            guard let parts = contributions.removeValue(forKey: id) else { continue }
            let node = nodes[id]
            let gradient = try accumulate(parts)
            finished[id] = gradient
            if node.op.isLeaf { continue }
            let wanted = node.inputs.map { needsGradient[$0] }
            let rules = try vectorJacobian(node, upstream: gradient, wanted: wanted, recomputation: &recomputation)
            for (input, contribution) in zip(node.inputs, rules) where needsGradient[input] {
                if let contribution { contributions[input, default: []].append(contribution) }
            }
        }
        return targets.map { finished[$0.id] ?? constant(0, shape: $0.shape) }
    }

    /// Sums the contributions to one node's gradient. Zero-padded slices of one axis (what slicing a
    /// sequence step by step produces) are joined into one concat instead of summed, which keeps the
    /// backward pass of an unrolled recurrence linear in its length.
    private func accumulate(_ parts: [Tensor]) throws -> Tensor {
        var pads: [Int: [(before: Int, piece: Tensor, padded: Tensor)]] = [:]
        var others: [Tensor] = []
        for part in parts {
            if case .pad(let axis, let before, _) = part.node.op {
                pads[axis, default: []].append((before, tensor(part.node.inputs[0]), part))
            } else {
                others.append(part)
            }
        }
        // Sorted so that the backward graph, and with it the summation order, is the same every run.
        for (axis, group) in pads.sorted(by: { $0.key < $1.key }) {
            if group.count > 1, let merged = try joined(group.map { ($0.before, $0.piece) }, axis: axis, like: parts[0].shape) {
                others.append(merged)
            } else {
                others += group.map(\.padded)
            }
        }
        var sum = others[0]
        for part in others.dropFirst() { sum = try sum + part }
        return sum
    }

    /// One concat of non-overlapping pieces with zeros in the gaps; nil when pieces overlap.
    private func joined(_ group: [(before: Int, piece: Tensor)], axis: Int, like shape: Shape) throws -> Tensor? {
        var pieces: [Tensor] = []
        var position = 0
        for (before, piece) in group.sorted(by: { $0.before < $1.before }) {
            guard before >= position else { return nil }
            if before > position { pieces.append(zeros(like: shape, axis: axis, length: before - position)) }
            pieces.append(piece)
            position = before + piece.shape[axis]
        }
        if position < shape[axis] { pieces.append(zeros(like: shape, axis: axis, length: shape[axis] - position)) }
        return try Tensor.concatenated(pieces, axis: axis)
    }

    private func zeros(like shape: Shape, axis: Int, length: Int) -> Tensor {
        var dims = shape.dims
        dims[axis] = length
        return constant(0, shape: Shape(dims))
    }
}
