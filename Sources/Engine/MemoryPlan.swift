import Core
import Graph

/// Where every value of a program lives. Reshapes and contiguous slices are views (they alias their
/// input), so is a permute that keeps the last axis last when matmuls read it or a matmul writes it
/// (the product reads or writes through the permute's strides: attention's head splits and merges cost
/// no copy), a matmul whose only use is `acc + matmul` accumulates straight into `acc` (GEMM with
/// β = 1, so the add disappears: this is how the 35 per-step weight gradients of an unrolled RNN
/// sum without 35 extra passes), and an elementwise result overwrites an input of its size that
/// nothing reads after it (a word LM's 93 MB of logits become their gradient). Inputs and constants,
/// which must keep their values from run to run, get slots in the program's own block; every other
/// value gets a slot in the scratch, reused once its last reader has run (and by other programs between
/// runs when the scratch is shared).
struct MemoryPlan {
    enum Placement {
        /// An offset in the program's own block.
        case own(Int)
        /// An offset in the scratch.
        case scratch(Int)
        case external(UnsafeMutablePointer<Float>)
    }

    /// The node whose storage a node uses, and its element offset in it.
    private(set) var root: [Int]
    private(set) var aliasOffset: [Int]
    /// matmul node → the node its result is added into in place.
    private(set) var accumulateInto: [Int: Int] = [:]
    /// `acc + matmul` nodes that the accumulation made free.
    private(set) var fusedAdds: Set<Int> = []
    /// Matmul operands and results stored as a permute of themselves → their element stride per axis
    /// in their root's storage (the last one 1); every other value is row-major.
    private(set) var strides: [Int: [Int]] = [:]
    private(set) var placement: [Int: Placement] = [:]
    /// Gradients that could not be computed in place in the gradient arena: copied there after the run.
    private(set) var gradientCopies: [(node: Int, destination: UnsafeMutablePointer<Float>)] = []
    /// Buffer-update values stored in a buffer that an update overwrites → the scratch offset where a
    /// copy waits for its own update.
    private(set) var staging: [Int: Int] = [:]
    /// Floats of the program's own block and of the scratch it needs.
    private(set) var ownCount = 0
    private(set) var scratchCount = 0
    var activationCount: Int { ownCount + scratchCount }

    init(graph: Graph, live: [Int], consumers: [Int: [Int]], pinned: Set<Int>,
         external: [Int: UnsafeMutablePointer<Float>], gradients: [(node: Int, destination: UnsafeMutablePointer<Float>)]) {
        let nodes = graph.nodes
        root = Array(0..<nodes.count)
        aliasOffset = [Int](repeating: 0, count: nodes.count)
        var readyAt = Array(0..<nodes.count)
        let gradientNodes = Set(gradients.map(\.node))

        for id in live {
            let node = nodes[id]
            switch node.op {
            case .reshape:
                alias(id, to: node.inputs[0], offset: 0)
            case .slice(let axis, let start, _) where nodes[node.inputs[0]].shape.dims[..<axis].allSatisfy({ $0 == 1 }):
                let inner = nodes[node.inputs[0]].shape.dims[(axis + 1)...].reduce(1, *)
                alias(id, to: node.inputs[0], offset: start * inner)
            case .permute(let perm) where perm.count >= 3 && perm.last == perm.count - 1:
                let input = node.inputs[0], inverse = perm.indices.map { perm.firstIndex(of: $0)! }
                let isFree = { (id: Int) in !pinned.contains(id) && !gradientNodes.contains(id) }
                if case .matmul = nodes[input].op, consumers[input] == [id], isFree(input), root[input] == input {
                    // The product writes its (…, m, n) straight into the permute's layout.
                    let layout = node.shape.strides
                    strides[input] = inverse.map { layout[$0] }
                    alias(id, to: input, offset: 0)
                } else if let readers = consumers[id], readers.allSatisfy({ if case .matmul = nodes[$0].op { true } else { false } }),
                          isFree(id), strides[input] == nil {
                    // Every reader is a product, which reads the input through the permuted strides.
                    let layout = nodes[input].shape.strides
                    strides[id] = perm.map { layout[$0] }
                    alias(id, to: input, offset: 0)
                }
            case .binary(.add) where node.inputs.allSatisfy({ nodes[$0].shape == node.shape }):
                for (p, q) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                    guard p != q, case .matmul = nodes[q].op, consumers[q] == [id], consumers[p] == [id],
                          !pinned.contains(p), !pinned.contains(q), !gradientNodes.contains(p), !gradientNodes.contains(q),
                          fusedAdds.contains(p) || (root[p] == p && !nodes[p].op.isLeaf),
                          readyAt[p] < q else { continue }
                    accumulateInto[q] = p
                    fusedAdds.insert(id)
                    alias(q, to: p, offset: 0)
                    alias(id, to: p, offset: 0)
                    readyAt[id] = q
                    break
                }
            default:
                break
            }
        }

        for (id, pointer) in external { placement[id] = .external(pointer) }
        for (node, destination) in gradients {
            let r = root[node]
            if aliasOffset[node] == 0, nodes[r].shape.count == nodes[node].shape.count, !nodes[r].op.isLeaf,
               placement[r] == nil {
                placement[r] = .external(destination)
            } else {
                gradientCopies.append((node, destination))
            }
        }

        // Last reader of every root; pinned values (outputs, buffer updates, copied gradients) live to the end.
        var lastUse: [Int: Int] = [:]
        for id in live {
            for input in nodes[id].inputs { lastUse[root[input]] = Swift.max(lastUse[root[input]] ?? 0, id) }
        }
        for id in pinned.union(gradientCopies.map(\.node)) { lastUse[root[id]] = Int.max }
        for id in live where nodes[id].op.isLeaf && !nodes[id].op.isRandom { lastUse[id] = Int.max }

        // Leaves that are filled once or from outside stay put for the program's life.
        var own = ArenaAllocator()
        for id in live where nodes[id].op.isLeaf && placement[id] == nil {
            if nodes[id].op.isRandom { continue }
            placement[id] = .own(own.allocate(nodes[id].shape.count))
        }
        var allocator = ArenaAllocator()
        for id in live {
            var overwritten: Int?
            if root[id] == id, placement[id] == nil {
                // An elementwise result may take the slot of an input read for the last time, of its size.
                // Not when another input is a smaller view of that storage (x − x[0:1]): the result would
                // overwrite rows that view is still to be read from.
                let node = nodes[id]
                overwritten = Self.overwritableInputs(of: node, nodes).map { root[$0] }.first { r in
                    guard case .scratch = placement[r] else { return false }
                    return lastUse[r] == id && nodes[r].shape.count == node.shape.count
                        && node.inputs.allSatisfy { root[$0] != r || nodes[$0].shape == node.shape }
                }
                placement[id] = overwritten.map { placement[$0]! } ?? .scratch(allocator.allocate(node.shape.count))
            }
            for r in Set(nodes[id].inputs.map { root[$0] }) where lastUse[r] == id && r != overwritten {
                if case .scratch(let offset) = placement[r] { allocator.release(offset: offset, count: nodes[r].shape.count) }
            }
        }
        // Updates run after every kernel, so the staging copies may take any slot that is free by now.
        let updated = Set(graph.updates.map(\.buffer))
        for (_, value) in graph.updates where updated.contains(root[value]) && staging[value] == nil {
            staging[value] = allocator.allocate(nodes[value].shape.count)
        }
        (ownCount, scratchCount) = (own.size, allocator.size)
    }

    /// The inputs whose storage `node`'s kernel may write its result into: element i of the output
    /// depends on element i of the input alone, or (the loss's gradient) on its row, read before the
    /// row is written. (A view into a larger value is refused by the caller, whose slot is larger.)
    private static func overwritableInputs(of node: Node, _ nodes: [Node]) -> [Int] {
        switch node.op {
        case .unary, .binary, .logSoftmaxNLLGrad: node.inputs.filter { nodes[$0].shape == node.shape }
        default: []
        }
    }

    private mutating func alias(_ id: Int, to input: Int, offset: Int) {
        root[id] = root[input]
        aliasOffset[id] = aliasOffset[input] + offset
    }

    /// The address of node `id`'s first element, given where the program's own block and its scratch start.
    func address(of id: Int, own: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        switch placement[root[id]]! {
        case .own(let offset): own + offset + aliasOffset[id]
        case .scratch(let offset): scratch + offset + aliasOffset[id]
        case .external(let pointer): pointer + aliasOffset[id]
        }
    }
}
