import Core

extension Graph: CustomStringConvertible {
    /// One line per node: `%12 = matmul(%3, %7) A·Bᵀ  (32, 768) f32`.
    public var description: String {
        nodes.map(Self.line).joined(separator: "\n")
    }

    /// The printout restricted to `ids`, e.g. the nodes a program keeps.
    public func description(of ids: [Int]) -> String {
        ids.map { Self.line(nodes[$0]) }.joined(separator: "\n")
    }

    static func line(_ node: Node) -> String {
        let inputs = node.inputs.map { "%\($0)" }.joined(separator: ", ")
        var text = "%\(node.id) = \(node.op.name)(\(inputs))"
        let attributes = node.op.attributes
        if !attributes.isEmpty { text += " " + attributes }
        let padding = String(repeating: " ", count: Swift.max(1, 48 - text.count))
        return text + padding + "\(node.shape) \(node.dtype.rawValue)"
    }
}
