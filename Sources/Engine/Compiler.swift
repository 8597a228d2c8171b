import Foundation
import Core
import Graph
import Kernels

/// Compiles graphs into programs.
public enum Engine {
    /// Compiles the part of `graph` that `outputs`, `gradients` and the graph's buffer updates need.
    /// - gradients: (parameter, d loss / d parameter) pairs from `Graph.gradients`; each run leaves
    ///   the values in `arena.gradients`.
    /// - arena: share the parameters of another program of the same model; a new arena initialised
    ///   from `seed` when nil.
    /// - threads: how many threads large GEMMs split over; results are reproducible for a given count
    ///   and agree across counts up to rounding.
    /// - scratch: where the intermediate values live, shared with programs that run only while this one
    ///   does not (`ActivationScratch.shared()`); outputs must be read before another of them runs.
    ///   The program's own when nil, or when it does not fit.
    public static func compile(_ graph: Graph, outputs: [Tensor], gradients: [(parameter: Tensor, gradient: Tensor)] = [],
                               arena: ParameterArena? = nil, seed: UInt64 = 0, threads: Int = 1,
                               scratch: ActivationScratch? = nil) throws -> Program {
        if arena == nil {
            try checkFits("parameters and gradients", floats: 2 * graph.parameters.reduce(0) { $0 + $1.shape.count })
        }
        let arena = arena ?? ParameterArena(graph: graph, seed: seed)
        let nodes = graph.nodes
        let gradientTargets = try gradients.map { pair -> (node: Int, destination: UnsafeMutablePointer<Float>) in
            guard case .parameter(let key) = pair.parameter.node.op else { throw EngineError.unknownParameter("%\(pair.parameter.id)") }
            // The copy into the arena writes the gradient's element count: it must be the slot's.
            guard pair.gradient.shape == pair.parameter.shape else {
                throw EngineError.gradientShape(key: key, expected: pair.parameter.shape, got: pair.gradient.shape)
            }
            return (pair.gradient.id, try arena.gradientStorage(for: key, shape: pair.parameter.shape))
        }
        // One slot, one gradient: a parameter listed twice would have two writers.
        let keys = gradients.map(\.parameter.id)
        if let repeated = keys.indices.first(where: { keys[..<$0].contains(keys[$0]) }),
           case .parameter(let key) = gradients[repeated].parameter.node.op {
            throw EngineError.duplicateGradient(key)
        }
        // One name is one value: a second input node of that name would never be fed.
        var inputNames: Set<String> = []
        for node in nodes {
            if case .input(let name) = node.op, !inputNames.insert(name).inserted { throw EngineError.duplicateInput(name) }
        }
        let roots = outputs.map(\.id) + gradientTargets.map(\.node) + graph.updates.map(\.value)
        let live = graph.nodes(neededFor: roots)

        var consumers: [Int: [Int]] = [:]
        for id in live { for input in Set(nodes[id].inputs) { consumers[input, default: []].append(id) } }
        var external: [Int: UnsafeMutablePointer<Float>] = [:]
        let liveSet = Set(live)
        for info in graph.parameters where liveSet.contains(info.node) || graph.updates.contains(where: { $0.buffer == info.node }) {
            external[info.node] = try arena.storage(for: info)
        }
        let pinned = Set(outputs.map(\.id) + graph.updates.map(\.value))
        let plan = MemoryPlan(graph: graph, live: live, consumers: consumers, pinned: pinned, external: external,
                              gradients: gradientTargets)

        try checkFits("activations", floats: plan.activationCount)
        let own = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(plan.ownCount, 1))
        own.initialize(repeating: 0, count: Swift.max(plan.ownCount, 1))
        let scratch = scratch.flatMap { $0.holds(plan.scratchCount) ? $0 : nil } ?? ActivationScratch(floats: plan.scratchCount)
        let random = RandomSource(seed: seed &+ 0x5EED)
        var lowering = Lowering(nodes: nodes, plan: plan, own: own, scratch: scratch.base, random: random, threads: max(1, threads))
        var steps: [Program.Step] = []
        // The step that computes each node (a node fused into another's kernel has none), and the
        // memory each step writes.
        var stepOfNode: [Int: Int] = [:]
        var written: [(step: Int, start: UnsafeMutablePointer<Float>, count: Int)] = []
        // Inputs the outputs do not need are accepted and ignored (node nil), so one feeding loop serves
        // every program of a model.
        var inputs: [String: ProgramInput] = [:]
        for node in nodes { if case .input(let name) = node.op { inputs[name] = ProgramInput(node: nil, count: node.shape.count) } }
        for (name, limit) in indexLimits(nodes, live: live) { inputs[name]?.indexLimit = limit }
        for id in live {
            switch nodes[id].op {
            case .input(let name): inputs[name]?.node = id
            case .constant(let value): lowering.address(id).initialize(repeating: value, count: nodes[id].shape.count)
            default: break
            }
            if let step = lowering.step(for: id) {
                stepOfNode[id] = steps.count
                written.append((steps.count, lowering.address(id), nodes[id].shape.count))
                steps.append(step)
            }
        }
        for (node, destination) in plan.gradientCopies {
            let source = lowering.address(node), count = nodes[node].shape.count
            written.append((steps.count, destination, count))
            steps.append(Program.Step(name: "gradient_copy") { destination.update(from: source, count: count) })
        }
        let backwardEnd = steps.count - 1
        // A gradient is final, and free to be summed in place, after the last step that writes its slot
        // (the first writer, the matmuls that accumulate into it, or its copy) and the last that reads
        // it; a reader fused into another kernel has no step of its own, so then the backward pass's end.
        let gradientsReady = gradientTargets.map { target in
            let count = nodes[target.node].shape.count
            let writers = written.filter { $0.start < target.destination + count && target.destination < $0.start + $0.count }
            let readers = (consumers[target.node] ?? []).map { stepOfNode[$0] ?? backwardEnd }
            let offset = arena.gradients.baseAddress.map { target.destination - $0 } ?? 0
            return Program.GradientReady(afterStep: (writers.map(\.step) + readers).max() ?? backwardEnd,
                                         range: offset..<(offset + count))
        }
        // Values that read an updated buffer are set aside before any update writes, so that every
        // update sees this run's values (`update(a, to: b)` beside `update(b, to: a)` swaps them).
        for (value, offset) in plan.staging.sorted(by: { $0.key < $1.key }) {
            let source = lowering.address(value), stage = scratch.base + offset, count = nodes[value].shape.count
            steps.append(Program.Step(name: "buffer_update") { stage.update(from: source, count: count) })
        }
        for (buffer, value) in graph.updates {
            let source = plan.staging[value].map { scratch.base + $0 } ?? lowering.address(value)
            let destination = external[buffer]!, count = nodes[value].shape.count
            steps.append(Program.Step(name: "buffer_update") { destination.update(from: source, count: count) })
        }
        return Program(graph: graph, arena: arena, schedule: live, plan: plan, own: own, scratch: scratch, steps: steps,
                       inputs: inputs, outputs: Set(outputs.map(\.id)), random: random, gradientsReady: gradientsReady)
    }

    /// The most bytes one allocation may take: nine tenths of the machine's memory.
    static var memoryLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) * 9 / 10 }

    /// Refuses an allocation beyond the machine's memory, which would otherwise end the process.
    public static func checkFits(_ what: String, floats: Int) throws {
        let bytes = floats.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !bytes.overflow, bytes.partialValue <= memoryLimit else {
            throw EngineError.tooLarge(what: what, bytes: bytes.overflow ? Int.max : bytes.partialValue,
                                       available: Int(clamping: ProcessInfo.processInfo.physicalMemory))
        }
    }

    /// For each input that indexes something (gather and scatter rows, cross-entropy targets), the
    /// exclusive upper bound of its values and the ignore index it may also hold; `setInput` checks
    /// them so that a bad token id is an error, not an out-of-bounds read.
    static func indexLimits(_ nodes: [Node], live: [Int]) -> [String: (bound: Int, ignored: Int?)] {
        func inputName(_ id: Int) -> String? {
            switch nodes[id].op {
            case .input(let name): name
            case .reshape, .slice: inputName(nodes[id].inputs[0])
            default: nil
            }
        }
        var limits: [String: (bound: Int, ignored: Int?)] = [:]
        for id in live {
            let node = nodes[id]
            let (indices, bound, ignored): (Int, Int, Int?)
            switch node.op {
            case .gather: (indices, bound, ignored) = (node.inputs[1], nodes[node.inputs[0]].shape[0], nil)
            case .scatterAdd(let rows): (indices, bound, ignored) = (node.inputs[1], rows, nil)
            case .logSoftmaxNLL(let ignore, _), .logSoftmaxNLLGrad(let ignore, _):
                (indices, bound, ignored) = (node.inputs[1], nodes[node.inputs[0]].shape[1], ignore)
            default: continue
            }
            guard let name = inputName(indices) else { continue }
            let previous = limits[name]?.bound ?? Int.max
            limits[name] = (Swift.min(previous, bound), ignored ?? limits[name]?.ignored)
        }
        return limits
    }

}
