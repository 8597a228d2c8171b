import Graph

// The conventions every layer of this module follows.
//
// A layer is a struct whose init registers its parameters in the graph and whose `callAsFunction`
// only appends nodes: calling a layer twice reuses its parameters (weight sharing), and building the
// same layers into a training and an evaluation graph gives both the same keys in the same order,
// so their programs can share one parameter arena.
//
// Keys are `<prefix>.<name>` with PyTorch's names where PyTorch has one (`weight`, `bias`, `w_ih`,
// `running_mean`), so that a PyTorch state dict maps onto the arena key for key. Nested layers
// extend the prefix (`encoder.layers.0.attn.query.weight`). Matrices decay; biases, normalisation
// parameters and embeddings do not.

/// `<prefix>.<name>`, or `name` alone under an empty prefix (a model's top-level layers, tests).
func joinedKey(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : prefix + "." + name
}

extension Initializer {
    /// PyTorch's default for Linear, Conv1d and RNN tensors: U(−1/√fanIn, 1/√fanIn).
    public static func pytorchDefault(fanIn: Int) -> Initializer {
        let bound = 1 / Float(fanIn).squareRoot()
        return .uniform(low: -bound, high: bound)
    }
}

/// The error for an argument a layer cannot use, named after the layer; `node` is where the graph
/// stood, so that the message points near the nodes the caller was building.
func invalidArgument(_ layer: String, in graph: Graph, _ reason: String) -> GraphError {
    GraphError.invalidArgument(op: layer, node: graph.nodes.count, reason: reason)
}
