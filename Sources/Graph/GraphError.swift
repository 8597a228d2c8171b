import Core

/// Errors found while building a graph. Each names the operation and the node it would have been.
public enum GraphError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(op: String, node: Int, Shape, Shape)
    case invalidShape(op: String, node: Int, Shape, reason: String)
    case invalidAxis(op: String, node: Int, axis: Int, rank: Int)
    case invalidArgument(op: String, node: Int, reason: String)
    case duplicateKey(String)
    case foreignTensor(op: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let op, let node, let a, let b):
            "\(op) (node %\(node)): shapes \(a) and \(b) do not match"
        case .invalidShape(let op, let node, let shape, let reason):
            "\(op) (node %\(node)): shape \(shape) \(reason)"
        case .invalidAxis(let op, let node, let axis, let rank):
            "\(op) (node %\(node)): axis \(axis) is out of range for rank \(rank)"
        case .invalidArgument(let op, let node, let reason):
            "\(op) (node %\(node)): \(reason)"
        case .duplicateKey(let key):
            "parameter key '\(key)' is registered twice"
        case .foreignTensor(let op):
            "\(op): a tensor from another graph"
        }
    }
}
