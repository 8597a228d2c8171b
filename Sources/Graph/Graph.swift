import Core

/// One node of the IR. Inputs always have smaller ids, so id order is a topological order.
public struct Node: Hashable, Sendable {
    public let id: Int
    public let op: Op
    public let inputs: [Int]
    public let shape: Shape
    public let dtype: DType
}

/// A parameter or buffer the graph refers to; the engine gives it a slot in the flat arena.
public struct ParameterInfo: Hashable, Sendable {
    public let key: String
    public let shape: Shape
    public let initializer: Initializer
    /// Weight decay applies (the optimizer's rule may override).
    public let decay: Bool
    /// False for buffers (running statistics): in the arena and checkpoints, never in the optimizer.
    public let trainable: Bool
    public let node: Int
}

/// A static dataflow graph under construction. Layers add nodes through `Tensor`; nothing here
/// touches memory. Not thread-safe: one graph is built by one thread.
public final class Graph {
    public private(set) var nodes: [Node] = []
    /// Parameters and buffers in registration order, which is also their arena order.
    public private(set) var parameters: [ParameterInfo] = []
    /// Buffer updates a training step performs after its forward pass: (buffer node, new value node).
    public private(set) var updates: [(buffer: Int, value: Int)] = []
    /// Layers read this to choose training or evaluation behaviour (dropout, batch statistics).
    public var isTraining: Bool

    public init(training: Bool = true) { isTraining = training }

    /// Appends a node; shapes were checked by the caller.
    func add(_ op: Op, _ inputs: [Tensor], shape: Shape, dtype: DType = .float32) -> Tensor {
        let node = Node(id: nodes.count, op: op, inputs: inputs.map(\.id), shape: shape, dtype: dtype)
        nodes.append(node)
        return Tensor(graph: self, id: node.id)
    }

    /// The id the next node will get, for error messages about a node that was refused.
    var nextID: Int { nodes.count }

    public func tensor(_ id: Int) -> Tensor { Tensor(graph: self, id: id) }

    /// Every node some root depends on, the roots included, in id (topological) order.
    public func nodes(neededFor roots: [Int]) -> [Int] {
        var needed = [Bool](repeating: false, count: nodes.count)
        var stack = roots
        while let id = stack.popLast() {
            if needed[id] { continue }
            needed[id] = true
            stack += nodes[id].inputs
        }
        return needed.indices.filter { needed[$0] }
    }

    // MARK: Leaves

    public func input(_ name: String, shape: Shape, dtype: DType = .float32) -> Tensor {
        add(.input(name: name), [], shape: shape, dtype: dtype)
    }

    /// Registers a trainable parameter under a stable key.
    public func parameter(_ key: String, shape: Shape, initializer: Initializer, decay: Bool) throws -> Tensor {
        try register(key, shape: shape, initializer: initializer, decay: decay, trainable: true, op: .parameter(key: key))
    }

    /// Registers persistent non-trainable state (e.g. BatchNorm running mean).
    public func buffer(_ key: String, shape: Shape, initializer: Initializer) throws -> Tensor {
        try register(key, shape: shape, initializer: initializer, decay: false, trainable: false, op: .buffer(key: key))
    }

    /// Gives every parameter whose key `matches` a new initializer: a model that builds on layers with
    /// PyTorch's defaults applies its own recipe afterwards (GPT-2's N(0, 0.02) everywhere).
    public func reinitialize(where matches: (ParameterInfo) -> Bool, with initializer: Initializer) {
        parameters = parameters.map { info in
            guard matches(info) else { return info }
            return ParameterInfo(key: info.key, shape: info.shape, initializer: initializer, decay: info.decay,
                                 trainable: info.trainable, node: info.node)
        }
    }

    /// The node of an already registered parameter or buffer, for sharing (tied embeddings).
    public func parameter(_ key: String) -> Tensor? {
        parameters.first { $0.key == key }.map { tensor($0.node) }
    }

    public func constant(_ value: Float, shape: Shape = .scalar) -> Tensor {
        add(.constant(value), [], shape: shape)
    }

    public func randomUniform(shape: Shape) -> Tensor {
        add(.randomUniform, [], shape: shape)
    }

    /// Inverted dropout's mask of `shape`, fresh on every run: 1/(1 − p) with probability 1 − p, else 0.
    public func dropoutMask(shape: Shape, p: Float) -> Tensor {
        add(.dropoutMask(p: p), [], shape: shape)
    }

    /// After each run, `buffer` takes the value of `value` (same shape).
    public func update(_ buffer: Tensor, to value: Tensor) throws {
        guard buffer.graph === self, value.graph === self else { throw GraphError.foreignTensor(op: "update") }
        guard case .buffer = buffer.node.op else {
            throw GraphError.invalidArgument(op: "update", node: buffer.id, reason: "target is not a buffer")
        }
        guard buffer.shape == value.shape else {
            throw GraphError.shapeMismatch(op: "update", node: buffer.id, buffer.shape, value.shape)
        }
        updates.append((buffer.id, value.id))
    }

    private func register(_ key: String, shape: Shape, initializer: Initializer, decay: Bool, trainable: Bool,
                          op: Op) throws -> Tensor {
        guard !parameters.contains(where: { $0.key == key }) else { throw GraphError.duplicateKey(key) }
        guard shape.dims.allSatisfy({ $0 > 0 }) else {
            throw GraphError.invalidShape(op: op.name, node: nextID, shape, reason: "must have positive dimensions")
        }
        let tensor = add(op, [], shape: shape)
        parameters.append(ParameterInfo(key: key, shape: shape, initializer: initializer, decay: decay,
                                        trainable: trainable, node: tensor.id))
        return tensor
    }
}

/// A symbolic tensor: a handle to a node of a graph.
public struct Tensor {
    public let graph: Graph
    public let id: Int

    public var node: Node { graph.nodes[id] }
    public var shape: Shape { node.shape }
    public var dtype: DType { node.dtype }
    public var rank: Int { node.shape.rank }
}
