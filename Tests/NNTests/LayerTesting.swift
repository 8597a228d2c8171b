import Core
import Engine
import Graph

// Helpers shared by the layer tests: fixed loss weights for gradient checks and a one-shot runner.

/// Fixed, non-uniform values in [−1, 1]; `salt` gives a different sequence of the same kind.
func fixedValues(_ count: Int, salt: Int = 0) -> [Float] {
    (0..<count).map { Float((($0 + salt) * 7919) % 13) / 6 - 1 }
}

/// Σ y ⊙ w with w fed as the input `name`: a scalar loss whose gradient differs per element of y.
func weightedSum(_ y: Tensor, name: String = "weights") throws -> Tensor {
    try (y * y.graph.input(name, shape: y.shape)).sum()
}

/// Compiles `outputs` (no gradients), feeds `inputs`, runs once and returns the program.
func execute(_ graph: Graph, _ outputs: [Tensor], inputs: [String: [Float]], arena: ParameterArena? = nil,
         seed: UInt64 = 1) throws -> Program {
    let program = try Engine.compile(graph, outputs: outputs, arena: arena, seed: seed)
    for (name, values) in inputs { try program.setInput(name, values) }
    program.run()
    return program
}

/// (key, shape, decay) of every registered parameter and buffer, in registration order.
func registered(_ graph: Graph) -> [String] {
    graph.parameters.map { "\($0.key) \($0.shape)\($0.decay ? " decay" : "")\($0.trainable ? "" : " buffer")" }
}

/// Row-major (rows, cols) matrix times vector, for hand-computed references.
func multiply(_ matrix: [Float], _ vector: [Float], rows: Int) -> [Float] {
    let cols = vector.count
    return (0..<rows).map { r in (0..<cols).reduce(Float(0)) { $0 + matrix[r * cols + $1] * vector[$1] } }
}

/// Row `index` of a row-major matrix `width` wide.
func row(_ values: [Float], _ index: Int, width: Int) -> [Float] {
    Array(values[(index * width)..<((index + 1) * width)])
}

/// Elementwise sum of equally long vectors.
func sum(_ vectors: [Float]...) -> [Float] {
    vectors.dropFirst().reduce(vectors[0]) { zip($0, $1).map(+) }
}
