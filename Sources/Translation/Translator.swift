import Engine
import Planner

/// Translates sentences of source ids with a plan's decoding graphs over an arena of trained weights:
/// each chunk of sentences is encoded once, then the decoder steps over every live hypothesis of the
/// chunk at a time (greedy or beam, as `decoder` says). Programs are compiled once per shape.
public final class Translator {
    let plan: TranslationPlan
    let arena: ParameterArena
    public let decoder: Decoder
    /// Sentences encoded together; the step graph has `chunk × beam` rows.
    let chunk: Int
    private var programs: [Int: (encode: (pass: TranslationPlan.EncodePass, program: Program),
                                 step: (pass: TranslationPlan.StepPass, program: Program))] = [:]

    public init(plan: TranslationPlan, arena: ParameterArena, decoder: Decoder, chunk: Int = 32) {
        (self.plan, self.arena, self.decoder, self.chunk) = (plan, arena, decoder, chunk)
    }

    /// The `decoder.nBest` best hypotheses of each source sentence (ids without `<eos>`; the encoder
    /// appends it, as training batches frame sources).
    public func translate(_ sources: [[Int]]) throws -> [[Decoder.Hypothesis]] {
        var results: [[Decoder.Hypothesis]] = []
        for start in stride(from: 0, to: sources.count, by: chunk) {
            results += try translateChunk(Array(sources[start..<min(start + chunk, sources.count)]))
        }
        return results
    }

    /// A decoding state: the hypothesis's sentence and its decoder state tensors, each (H).
    public struct State {
        let sentence: Int
        let tensors: [[Float]]
    }

    private func translateChunk(_ sources: [[Int]]) throws -> [[Decoder.Hypothesis]] {
        let length = (sources.map(\.count).max() ?? 0) + 1
        // Shapes are keyed by the padded source length, rounded up to limit recompiles.
        let padded = (length + 7) / 8 * 8
        let (encode, step) = try programs(sourceLength: padded)
        let rows = chunk
        var source = [Float](repeating: 0, count: rows * padded), mask = source
        for (row, ids) in sources.enumerated() {
            for (t, id) in (ids + [decoder.eos]).enumerated() {
                source[row * padded + t] = Float(id)
                mask[row * padded + t] = 1
            }
        }
        // Filler rows see one `<eos>`, so that attention always has a position to weigh.
        for row in sources.count..<rows { (source[row * padded], mask[row * padded]) = (Float(decoder.eos), 1) }
        try encode.program.setInput(TranslationPlan.source, source)
        try encode.program.setInput(TranslationPlan.mask, mask)
        encode.program.run()
        // Per encoded tensor: its floats, and the floats one sentence (row) holds.
        var encoded: [String: (values: [Float], perRow: Int)] = [:]
        for (name, tensor) in encode.pass.outputs {
            let values = try encode.program.read(tensor)
            encoded[name] = (values, values.count / rows)
        }
        let stateNames = step.pass.stateInputs
        let initial = sources.indices.map { sentence in
            State(sentence: sentence, tensors: stateNames.map { name in
                let (values, perRow) = encoded[name] ?? ([], 0)
                return Array(values[(sentence * perRow)..<((sentence + 1) * perRow)])
            })
        }
        let stepRows = rows * decoder.beam
        return try decoder.decode(initial: initial, sourceLengths: sources.map(\.count)) { hypotheses in
            precondition(hypotheses.count <= stepRows, "more live hypotheses than the step graph has rows")
            try step.program.setInput(TranslationPlan.tokens, (0..<stepRows).map { Float(hypotheses[min($0, hypotheses.count - 1)].token) })
            for (name, (values, perRow)) in encoded {
                var feed = [Float](repeating: 0, count: stepRows * perRow)
                for row in 0..<stepRows {
                    let hypothesis = hypotheses[min(row, hypotheses.count - 1)]
                    let slice: ArraySlice<Float>
                    if let index = stateNames.firstIndex(of: name) {
                        slice = hypothesis.state.tensors[index][...]
                    } else {
                        slice = values[(hypothesis.state.sentence * perRow)..<((hypothesis.state.sentence + 1) * perRow)]
                    }
                    feed.replaceSubrange((row * perRow)..<((row + 1) * perRow), with: slice)
                }
                try step.program.setInput(name, feed)
            }
            step.program.run()
            let logProbabilities = try step.program.read(step.pass.logProbabilities)
            let states = try step.pass.stateOutputs.map { try step.program.read($0) }
            let vocabulary = logProbabilities.count / stepRows
            return try hypotheses.indices.map { row in
                let tensors = states.map { values in
                    let perRow = values.count / stepRows
                    return Array(values[(row * perRow)..<((row + 1) * perRow)])
                }
                return (Array(logProbabilities[(row * vocabulary)..<((row + 1) * vocabulary)]),
                        State(sentence: hypotheses[row].state.sentence, tensors: tensors))
            }
        }
    }

    private func programs(sourceLength: Int) throws
        -> (encode: (pass: TranslationPlan.EncodePass, program: Program), step: (pass: TranslationPlan.StepPass, program: Program)) {
        if let cached = programs[sourceLength] { return cached }
        let passes = try plan.decoding(rows: chunk, sourceLength: sourceLength)
        let stepPasses = try plan.decoding(rows: chunk * decoder.beam, sourceLength: sourceLength).step
        let encode = try Engine.compile(passes.encode.graph, outputs: passes.encode.outputs.map(\.tensor), arena: arena)
        let step = try Engine.compile(stepPasses.graph, outputs: [stepPasses.logProbabilities] + stepPasses.stateOutputs,
                                      arena: arena)
        let compiled = ((passes.encode, encode), (stepPasses, step))
        programs[sourceLength] = compiled
        return compiled
    }
}
