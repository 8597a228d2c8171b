import Engine
import Planner

/// Translates sentences of source ids with a plan's decoding graphs over an arena of trained weights:
/// each chunk of sentences is encoded once, then the decoder steps over every live hypothesis of the
/// chunk at a time (greedy or beam, as `decoder` says). Programs are compiled once per shape.
public final class Translator {
    let plan: TranslationPlan
    let arena: ParameterArena
    public let decoder: Decoder
    /// The source side's `<eos>`, which ends every source.
    let sourceEOS: Int
    /// Sentences encoded together; the step graph has `chunk × beam` rows.
    let chunk: Int
    let threads: Int
    /// The encoder program of each padded source length.
    private var encoderPrograms: [Int: (pass: TranslationPlan.EncodePass, program: Program)] = [:]
    /// The step program of each (padded source length, rows).
    private var stepPrograms: [[Int]: (pass: TranslationPlan.StepPass, program: Program)] = [:]

    /// - Parameter rows: about how many hypotheses a step decodes: `rows / beam` sentences at a time
    ///   (GEMMs of fewer rows run well below the machine's speed).
    public init(plan: TranslationPlan, arena: ParameterArena, decoder: Decoder, sourceEOS: Int, rows: Int = 128, threads: Int = 1) {
        var decoder = decoder
        // A step reads `<bos>` or a token and predicts the next: the final `<eos>` takes the last step.
        if let positions = plan.model.positionLimit { decoder.lengthLimit = min(decoder.lengthLimit, positions - 1) }
        (self.plan, self.arena, self.decoder, self.sourceEOS, self.threads) = (plan, arena, decoder, sourceEOS, threads)
        chunk = max(1, rows / decoder.beam)
    }

    /// The `decoder.nBest` best hypotheses of each source sentence (ids without `<eos>`; the encoder
    /// appends it, as training batches frame sources). Sentences of like length are decoded together,
    /// so that a chunk pads little and its hypotheses finish at about the same step.
    public func translate(_ sources: [[Int]]) throws -> [[Decoder.Hypothesis]] {
        let order = sources.indices.sorted { (sources[$0].count, $0) < (sources[$1].count, $1) }
        var results = [[Decoder.Hypothesis]](repeating: [], count: sources.count)
        for start in stride(from: 0, to: order.count, by: chunk) {
            let indices = order[start..<min(start + chunk, order.count)]
            for (index, hypotheses) in zip(indices, try translateChunk(indices.map { sources[$0] })) {
                results[index] = hypotheses
            }
        }
        return results
    }

    /// A decoding state: the hypothesis's sentence and its decoder state tensors, one row of each.
    public struct State {
        let sentence: Int
        let tensors: [[Float]]
    }

    private func translateChunk(_ sources: [[Int]]) throws -> [[Decoder.Hypothesis]] {
        let padded = paddedLength(sources.map(\.count).max() ?? 0)
        let encoded = try encode(sources, sourceLength: padded)
        let first = try stepProgram(sourceLength: padded, rows: stepRows(sources.count)).pass
        let initial = sources.indices.map { firstState(of: $0, encoded: encoded, pass: first) }
        var t = 0
        return try decoder.decode(initial: initial, sourceLengths: sources.map(\.count)) { hypotheses in
            defer { t += 1 }
            return try self.step(t, sourceLength: padded, encoded: encoded, rows: hypotheses.map { ($0.token, $0.state) })
                .map { ($0.logProbabilities, $0.state) }
        }
    }

    /// The source positions programs are compiled for: a source of `count` tokens and its `<eos>`,
    /// rounded up to a multiple of 8 to limit recompiles, but never past the model's positions.
    private func paddedLength(_ count: Int) -> Int {
        min((count + 1 + 7) / 8 * 8, max(count + 1, plan.model.positionLimit ?? .max))
    }

    /// The decoding steps a sentence of a chunk padded to `sourceLength` may take: the longest
    /// translation `decoder` allows such a source, and its `<eos>`.
    private func steps(sourceLength: Int) -> Int {
        decoder.maxLength(sourceLength: sourceLength - 1) + 1
    }

    /// The decoder's first state for `sentence`: its rows of the encoded tensors named as the step's
    /// state inputs, and zeros for the state the encoder does not give (a self-attention cache).
    private func firstState(of sentence: Int, encoded: [String: (values: [Float], perRow: Int)],
                            pass: TranslationPlan.StepPass) -> State {
        State(sentence: sentence, tensors: zip(pass.stateInputs, pass.stateSizes).map { name, size in
            guard let (values, perRow) = encoded[name] else { return [Float](repeating: 0, count: size) }
            return Array(values[(sentence * perRow)..<((sentence + 1) * perRow)])
        })
    }

    /// The rows of the step program that runs `count` rows: the next power of two, at most a chunk's.
    private func stepRows(_ count: Int) -> Int {
        var rows = 1
        while rows < count { rows *= 2 }
        return min(rows, chunk * decoder.beam)
    }

    /// Decoder step t for up to `chunk × beam` rows (token, state), run by the step program of the
    /// next power of two rows (so that as a chunk's sentences finish, its steps shrink with them); the
    /// program's other rows repeat the last one. Returns each row's log-probabilities, next state and
    /// attention weights (S padded).
    private func step(_ t: Int, sourceLength: Int, encoded: [String: (values: [Float], perRow: Int)],
                      rows: [(token: Int, state: State)]) throws -> [(logProbabilities: [Float], state: State, weights: [Float])] {
        precondition(!rows.isEmpty && rows.count <= chunk * decoder.beam, "between 1 and chunk × beam rows a step")
        let stepRows = stepRows(rows.count)
        let step = try stepProgram(sourceLength: sourceLength, rows: stepRows)
        let stateNames = step.pass.stateInputs
        try step.program.setInput(TranslationPlan.tokens, (0..<stepRows).map { Float(rows[min($0, rows.count - 1)].token) })
        for (name, values) in step.pass.stepInputs(t) { try step.program.setInput(name, values) }
        // A state tensor comes from each row's hypothesis, any other encoded tensor from its sentence;
        // each row is written straight into the program's input (these inputs are the bulk of a step's
        // memory traffic: a Transformer's caches and projected encoder outputs).
        let fed = (0..<stepRows).map { rows[min($0, rows.count - 1)] }
        for (index, (name, perRow)) in zip(stateNames, step.pass.stateSizes).enumerated() {
            try step.program.withInput(name) { buffer in
                for (row, source) in fed.enumerated() {
                    (buffer + row * perRow).update(from: source.state.tensors[index], count: perRow)
                }
            }
        }
        for (name, (values, perRow)) in encoded where !stateNames.contains(name) {
            try step.program.withInput(name) { buffer in
                values.withUnsafeBufferPointer { values in
                    guard let start = values.baseAddress else { return }
                    for (row, source) in fed.enumerated() {
                        (buffer + row * perRow).update(from: start + source.state.sentence * perRow, count: perRow)
                    }
                }
            }
        }
        step.program.run()
        let logProbabilities = try step.program.readRows(step.pass.logProbabilities, count: rows.count)
        let states = try step.pass.stateOutputs.map { try step.program.readRows($0, count: rows.count) }
        let weights = try step.pass.weights.map { try step.program.readRows($0, count: rows.count) }
        return rows.indices.map { row in
            (logProbabilities[row], State(sentence: rows[row].state.sentence, tensors: states.map { $0[row] }), weights?[row] ?? [])
        }
    }

    /// The attention weights of each step as the model produces `translation` from `source`, per map
    /// (see `StepPass.weights`): one row per target token and the final `<eos>` (as many as the
    /// decoder's length limit allows), one column per source token and the source's `<eos>`. Empty for
    /// a model without attention.
    public func attention(source: [Int], translation: [Int]) throws -> [[[Float]]] {
        let (length, padded) = (source.count + 1, paddedLength(source.count))
        let pass = try stepProgram(sourceLength: padded, rows: 1).pass
        guard let weights = pass.weights else { return [] }
        let maps = weights.shape[1]
        let encoded = try encode([source], sourceLength: padded)
        var state = firstState(of: 0, encoded: encoded, pass: pass)
        var rows = [[[Float]]](repeating: [], count: maps)
        for (t, token) in ([decoder.bos] + translation).prefix(steps(sourceLength: padded)).enumerated() {
            let output = try step(t, sourceLength: padded, encoded: encoded, rows: [(token, state)])[0]
            for map in 0..<maps { rows[map].append(Array(output.weights[(map * padded)..<(map * padded + length)])) }
            state = output.state
        }
        return rows
    }

    /// The titles of the attention maps and how many a grid row holds (see `StepPass`).
    public func attentionLayout(sourceLength: Int) throws -> (titles: [String], columns: Int) {
        let pass = try stepProgram(sourceLength: paddedLength(sourceLength), rows: 1).pass
        return (pass.weightTitles, pass.weightColumns)
    }

    /// Runs the encoder over `sources` (padded to `sourceLength`, `<eos>` appended, filler rows after
    /// them); returns each encoded tensor's floats and the floats one sentence holds.
    private func encode(_ sources: [[Int]], sourceLength padded: Int) throws -> [String: (values: [Float], perRow: Int)] {
        let encode = try encoder(sourceLength: padded)
        let rows = chunk
        var source = [Float](repeating: 0, count: rows * padded), mask = source
        for (row, ids) in sources.enumerated() {
            for (t, id) in (ids + [sourceEOS]).enumerated() {
                source[row * padded + t] = Float(id)
                mask[row * padded + t] = 1
            }
        }
        // Filler rows see one `<eos>`, so that attention always has a position to weigh.
        for row in sources.count..<rows { (source[row * padded], mask[row * padded]) = (Float(sourceEOS), 1) }
        try encode.program.setInput(TranslationPlan.source, source)
        try encode.program.setInput(TranslationPlan.mask, mask)
        encode.program.run()
        var encoded: [String: (values: [Float], perRow: Int)] = [:]
        for (name, tensor) in encode.pass.outputs {
            let values = try encode.program.read(tensor)
            encoded[name] = (values, values.count / rows)
        }
        return encoded
    }

    private func encoder(sourceLength: Int) throws -> (pass: TranslationPlan.EncodePass, program: Program) {
        if let cached = encoderPrograms[sourceLength] { return cached }
        let pass = try plan.decoding(sentences: chunk, rows: 1, sourceLength: sourceLength, steps: 1).encode
        let compiled = (pass, try Engine.compile(pass.graph, outputs: pass.outputs.map(\.tensor), arena: arena, threads: threads))
        encoderPrograms[sourceLength] = compiled
        return compiled
    }

    private func stepProgram(sourceLength: Int, rows: Int) throws -> (pass: TranslationPlan.StepPass, program: Program) {
        if let cached = stepPrograms[[sourceLength, rows]] { return cached }
        let pass = try plan.decoding(sentences: chunk, rows: rows, sourceLength: sourceLength,
                                     steps: steps(sourceLength: sourceLength)).step
        let program = try Engine.compile(pass.graph, outputs: [pass.logProbabilities] + pass.stateOutputs
                                             + (pass.weights.map { [$0] } ?? []), arena: arena, threads: threads)
        stepPrograms[[sourceLength, rows]] = (pass, program)
        return (pass, program)
    }
}
