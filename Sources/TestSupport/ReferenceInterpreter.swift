import Core
import Foundation
import Graph

/// A naive Float64 evaluator of forward graphs: the independent reference that the engine's fp32
/// kernels and the autodiff rules are checked against. Loops are written for obviousness, not speed.
public struct ReferenceInterpreter {
    public let graph: Graph
    /// Values of inputs, parameters and buffers by name or key.
    public var feeds: [String: [Double]]

    public init(graph: Graph, feeds: [String: [Double]]) {
        self.graph = graph
        self.feeds = feeds
    }

    /// Evaluates every node up to and including `target`.
    public func evaluate(_ target: Tensor) -> [Double] {
        var values: [[Double]] = []
        for node in graph.nodes[0...target.id] { values.append(evaluate(node, values)) }
        return values[target.id]
    }

    private func evaluate(_ node: Node, _ values: [[Double]]) -> [Double] {
        let x = node.inputs.map { values[$0] }
        let s = node.inputs.map { graph.nodes[$0].shape.dims }
        let dims = node.shape.dims, count = node.shape.count
        switch node.op {
        case .input(let name): return feeds[name] ?? [Double](repeating: 0, count: count)
        case .parameter(let key), .buffer(let key): return feeds[key]!
        case .constant(let value): return [Double](repeating: Double(value), count: count)
        case .randomUniform, .dropoutMask: preconditionFailure("the reference cannot reproduce random draws")
        case .unary(let op):
            return x[0].map { v in
                switch op {
                case .neg: -v
                case .exp: Foundation.exp(v)
                case .log: Foundation.log(v)
                case .sqrt: v.squareRoot()
                case .tanh: Foundation.tanh(v)
                case .erf: Foundation.erf(v)
                case .abs: Swift.abs(v)
                case .gelu: 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
                }
            }
        case .binary(let op):
            return (0..<count).map { i in
                let a = x[0][broadcastIndex(i, dims, s[0])], b = x[1][broadcastIndex(i, dims, s[1])]
                switch op {
                case .add: return a + b
                case .sub: return a - b
                case .mul: return a * b
                case .div: return a / b
                case .maximum: return Swift.max(a, b)
                case .greater: return a > b ? 1 : 0
                case .geluGrad:
                    return b * (0.5 * (1 + Foundation.erf(a / 2.0.squareRoot())) + a * Foundation.exp(-a * a / 2) / (2 * Double.pi).squareRoot())
                }
            }
        case .argmax:
            let cols = graph.nodes[node.inputs[0]].shape.dims.last ?? 1
            return (0..<count).map { row in
                let values = x[0][(row * cols)..<((row + 1) * cols)]
                return Double(values.indices.first { values[$0] == values.max() }.map { $0 - row * cols } ?? 0)
            }
        case .select: return (0..<count).map { x[0][$0] != 0 ? x[1][$0] : x[2][$0] }
        case .reduce(let op, _):
            var out = [Double](repeating: op == .sum ? 0 : -.infinity, count: count)
            for i in x[0].indices {
                let j = broadcastIndex(multiIndex(i, s[0]), dims)
                out[j] = op == .sum ? out[j] + x[0][i] : Swift.max(out[j], x[0][i])
            }
            return out
        case .reshape: return x[0]
        case .permute(let perm):
            return (0..<count).map { i in
                let index = multiIndex(i, dims)
                var source = [Int](repeating: 0, count: perm.count)
                for (axis, p) in perm.enumerated() { source[p] = index[axis] }
                return x[0][flatIndex(source, s[0])]
            }
        case .expand: return (0..<count).map { x[0][broadcastIndex($0, dims, s[0])] }
        case .slice(let axis, let start, _):
            return (0..<count).map { i in
                var index = multiIndex(i, dims)
                index[axis] += start
                return x[0][flatIndex(index, s[0])]
            }
        case .pad(let axis, let before, _):
            return (0..<count).map { i in
                var index = multiIndex(i, dims)
                index[axis] -= before
                return (0..<s[0][axis]).contains(index[axis]) ? x[0][flatIndex(index, s[0])] : 0
            }
        case .concat(let axis):
            return (0..<count).map { i in
                var index = multiIndex(i, dims)
                var part = 0
                while index[axis] >= s[part][axis] { index[axis] -= s[part][axis]; part += 1 }
                return x[part][flatIndex(index, s[part])]
            }
        case .matmul(let ta, let tb):
            let r = dims.count, (m, n) = (dims[r - 2], dims[r - 1])
            let k = ta ? s[0][r - 2] : s[0][r - 1]
            let batch = count / (m * n)
            var out = [Double](repeating: 0, count: count)
            for bi in 0..<batch { for i in 0..<m { for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let a = x[0][bi * m * k + (ta ? p * m + i : i * k + p)]
                    let b = x[1][bi * k * n + (tb ? j * k + p : p * n + j)]
                    sum += a * b
                }
                out[bi * m * n + i * n + j] = sum
            } } }
            return out
        case .gather:
            let cols = s[0][1]
            return (0..<count).map { x[0][Int(x[1][$0 / cols]) * cols + $0 % cols] }
        case .scatterAdd:
            let cols = dims[1]
            var out = [Double](repeating: 0, count: count)
            for i in x[0].indices { out[Int(x[1][i / cols]) * cols + i % cols] += x[0][i] }
            return out
        case .logSoftmaxNLL(let ignore, let smoothing):
            let (cols, epsilon) = (s[0][1], Double(smoothing))
            var total = 0.0, valid = 0
            for row in 0..<s[0][0] where Int(x[1][row]) != ignore {
                let logits = x[0][(row * cols)..<((row + 1) * cols)]
                let top = logits.max()!
                let logSumExp = top + Foundation.log(logits.reduce(0) { $0 + Foundation.exp($1 - top) })
                let mean = logits.reduce(0, +) / Double(cols)
                total += logSumExp - (1 - epsilon) * logits[row * cols + Int(x[1][row])] - epsilon * mean
                valid += 1
            }
            return [valid == 0 ? 0 : total / Double(valid)]
        case .layerNorm(let eps):
            return rows(x[0], cols: dims.last!) { row in
                let mean = row.reduce(0, +) / Double(row.count)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
                return row.map { ($0 - mean) / (variance + Double(eps)).squareRoot() }
            }
        case .softmax:
            let cols = dims.last!
            var shifted = x[0]
            if x.count > 1 { for i in shifted.indices { shifted[i] += x[1][((i / cols) % s[1][0]) * cols + i % cols] } }
            return rows(shifted, cols: cols) { row in
                let top = row.max()!
                guard top > -.infinity else { return row.map { _ in 0 } }
                let e = row.map { Foundation.exp($0 - top) }
                let sum = e.reduce(0, +)
                return e.map { $0 / sum }
            }
        case .gruCell:
            let (batch, h) = (dims[0], dims[1])
            var out = [Double](repeating: 0, count: count)
            for b in 0..<batch { for j in 0..<h {
                let gi = { (gate: Int) in x[0][b * 3 * h + gate * h + j] }
                let gh = { (gate: Int) in x[1][b * 3 * h + gate * h + j] }
                let r = sigmoid(gi(0) + gh(0)), z = sigmoid(gi(1) + gh(1))
                let n = Foundation.tanh(gi(2) + r * gh(2))
                out[b * h + j] = (1 - z) * n + z * x[2][b * h + j]
            } }
            return out
        case .lstmCell:
            let (batch, h) = (s[1][0], s[1][1])
            var out = [Double](repeating: 0, count: count)   // [c' | h']
            for b in 0..<batch { for j in 0..<h {
                let gate = { (g: Int) in x[0][b * 4 * h + g * h + j] }
                let c = sigmoid(gate(1)) * x[1][b * h + j] + sigmoid(gate(0)) * Foundation.tanh(gate(2))
                out[b * h + j] = c
                out[batch * h + b * h + j] = sigmoid(gate(3)) * Foundation.tanh(c)
            } }
            return out
        case .logSoftmaxNLLGrad, .layerNormGrad, .softmaxGrad, .gruCellGrad, .lstmCellGrad:
            preconditionFailure("the reference evaluates forward graphs only (\(node.op.name))")
        }
    }

    private func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

    private func rows(_ values: [Double], cols: Int, _ transform: (ArraySlice<Double>) -> [Double]) -> [Double] {
        stride(from: 0, to: values.count, by: cols).flatMap { transform(values[$0..<($0 + cols)]) }
    }

    private func multiIndex(_ flat: Int, _ dims: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: dims.count), rest = flat
        for axis in stride(from: dims.count - 1, through: 0, by: -1) {
            index[axis] = rest % dims[axis]
            rest /= dims[axis]
        }
        return index
    }

    private func flatIndex(_ index: [Int], _ dims: [Int]) -> Int {
        zip(index, dims).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// The element of a right-aligned broadcast operand of shape `source` at output position `flat`.
    private func broadcastIndex(_ flat: Int, _ dims: [Int], _ source: [Int]) -> Int {
        broadcastIndex(multiIndex(flat, dims), source)
    }

    private func broadcastIndex(_ index: [Int], _ source: [Int]) -> Int {
        let lead = index.count - source.count
        return flatIndex(source.indices.map { source[$0] == 1 ? 0 : index[$0 + lead] }, source)
    }
}
