import Autodiff
import Core
import Engine
import Graph
import Models
import NN
import TestSupport
import XCTest

/// The encoder–decoder Transformer: gradients with each norm placement, position kind and sharing;
/// incremental decoding over the cache equal to teacher forcing; cross-attention weights that are
/// distributions with nothing on padding; the sinusoids by hand; the reference recipe's size.
final class TranslationTransformerTests: XCTestCase {
    // Two sentences: the second is one token shorter, its last source position padding.
    static let source: [Float] = [1, 3, 2, 4, 2, 0]                    // (B 2, S 3)
    static let mask: [Float] = [1, 1, 1, 1, 1, 0]
    static let decoderInputs: [Float] = [1, 4, 2, 1, 3, 0]             // (B 2, T 3)
    static let targets: [Float] = [4, 2, 5, -100, 3, 5]

    private var feeds: [String: [Float]] {
        ["source": Self.source, "mask": Self.mask, "inputs": Self.decoderInputs, "targets": Self.targets]
    }

    private func config(norm: TransformerBlock.NormPlacement = .post, positions: TranslationTransformer.Positions = .sinusoidal,
                        shared: TranslationTransformer.SharedEmbeddings = .none, activation: Activation = .relu)
        -> TranslationTransformer.Config {
        .init(sourceVocabularySize: shared == .all ? 6 : 5, targetVocabularySize: 6, width: 4, heads: 2, feedForwardSize: 6,
              encoderLayers: 1, decoderLayers: 2, activation: activation, norm: norm, positions: positions, maxPositions: 5,
              sharedEmbeddings: shared)
    }

    private func inputs(_ g: Graph) -> (source: Tensor, mask: Tensor, decoderInputs: Tensor) {
        (g.input("source", shape: [2, 3], dtype: .int32), g.input("mask", shape: [2, 3]), g.input("inputs", shape: [2, 3], dtype: .int32))
    }

    func testGradientsOfEveryNormPositionAndSharing() {
        let configs = [
            config(), config(norm: .pre, positions: .learned), config(shared: .decoderOutput, activation: .gelu),
            config(norm: .pre, shared: .all),
        ]
        for config in configs {
            gradCheck({ g in
                let (source, mask, decoderInputs) = inputs(g)
                let logits = try TranslationTransformer(g, config: config)(source, mask: mask, decoderInputs: decoderInputs)
                return try logits.crossEntropy(targets: g.input("targets", shape: [2, 3], dtype: .int32))
            }, inputs: feeds)
        }
    }

    /// Three steps over a cache of three slots, each fed the gold previous token, give the logits of
    /// the teacher-forced pass; the weights of each step's cross-attention are distributions that
    /// put nothing on the padding.
    func testCachedStepsEqualTeacherForcing() throws {
        for config in [config(), config(norm: .pre, positions: .learned, shared: .all)] {
            let g = Graph()
            let model = try TranslationTransformer(g, config: config)
            let (source, mask, decoderInputs) = inputs(g)
            let forced = try model(source, mask: mask, decoderInputs: decoderInputs)                     // (2, 3, 6)
            let memory = try model.projectedMemory(model.encode(source, mask: mask))
            let bias = try additiveMask(padding: mask).reshaped(to: [2, 1, 1, 3])
            let empty = g.constant(0, shape: [2, 2, 3, 2])                                               // (B, nh, L, hs)
            var cache = memory.map { _ in (keys: empty, values: empty) }
            var stepped: [Tensor] = [], weights: [Tensor] = []
            var stepFeeds: [String: [Float]] = [:]
            for t in 0..<3 {
                let tokens = try decoderInputs.sliced(axis: 1, t..<(t + 1)).reshaped(to: [2])
                let step = try model.step(tokens, position: g.input("position.\(t)", shape: [1], dtype: .int32),
                                          slot: g.input("slot.\(t)", shape: [3, 1]), mask: g.input("open.\(t)", shape: [1, 3]),
                                          cache: cache, memory: memory, memoryBias: bias)
                cache = step.cache
                stepped.append(try step.logits.reshaped(to: [2, 1, 6]))
                weights += step.weights
                stepFeeds["position.\(t)"] = [Float(t)]
                stepFeeds["slot.\(t)"] = (0..<3).map { $0 == t ? 1 : 0 }
                stepFeeds["open.\(t)"] = (0..<3).map { $0 <= t ? 0 : -.infinity }
            }
            let unrolled = try Tensor.concatenated(stepped, axis: 1)
            let program = try Engine.compile(g, outputs: [forced, unrolled] + weights, seed: 5)
            for (name, values) in feeds.merging(stepFeeds, uniquingKeysWith: { a, _ in a }) where name != "targets" {
                try program.setInput(name, values)
            }
            program.run()
            for (x, y) in zip(try program.read(forced), try program.read(unrolled)) { XCTAssertEqual(x, y, accuracy: 1e-5, "\(config)") }
            for layerWeights in weights {
                let w = try program.read(layerWeights)                                                  // (B 2, nh 2, S 3)
                for head in 0..<2 {
                    XCTAssertEqual(w[head * 3] + w[head * 3 + 1] + w[head * 3 + 2], 1, accuracy: 1e-5)
                    XCTAssertEqual(w[6 + head * 3] + w[6 + head * 3 + 1], 1, accuracy: 1e-5)
                    XCTAssertEqual(w[6 + head * 3 + 2], 0, accuracy: 1e-7, "weight on padding")
                }
            }
        }
    }

    /// Row p of the table holds sin(p·ω_i), cos(p·ω_i) with ω_i = 10000^(−2i/C): for C = 4, ω = 1, 1/100.
    func testSinusoidsByHand() throws {
        let g = Graph()
        _ = try TranslationTransformer(g, config: config())
        let program = try Engine.compile(g, outputs: [], seed: 1)
        let table = try program.arena.value("positions")                                                 // (5, 4)
        for p in 0..<5 {
            let expected = [sin(Float(p)), cos(Float(p)), sin(Float(p) / 100), cos(Float(p) / 100)]
            for (x, y) in zip(table[(p * 4)..<(p * 4 + 4)], expected) { XCTAssertEqual(x, y, accuracy: 1e-6, "position \(p)") }
        }
        XCTAssertFalse(g.parameters.first { $0.key == "positions" }?.trainable ?? true, "the sinusoids are not learned")
    }

    /// bentrevett's tutorial 6 model over its vocabularies (de 7,853, en 5,893): 9,038,341 parameters,
    /// its printed count; and a 9.04M model by hand: embeddings and 100 learned positions per side,
    /// 4C² + 4C per attention, 2·C·F + F + C per MLP, 2C per LayerNorm, the head C·V + V.
    func testReferenceRecipeSize() throws {
        let g = Graph()
        _ = try TranslationTransformer(g, config: .init(
            sourceVocabularySize: 7853, targetVocabularySize: 5893, width: 256, heads: 8, feedForwardSize: 512, encoderLayers: 3,
            decoderLayers: 3, dropout: 0.1, attentionDropout: 0.1, positions: .learned, maxPositions: 100))
        let count = g.parameters.filter(\.trainable).reduce(0) { $0 + $1.shape.count }
        let (c, f) = (256, 512)
        let (attention, mlp, norm) = (4 * c * c + 4 * c, 2 * c * f + f + c, 2 * c)
        let encoder = 7853 * c + 100 * c + 3 * (attention + mlp + 2 * norm)
        let decoder = 5893 * c + 100 * c + 3 * (2 * attention + mlp + 3 * norm) + c * 5893 + 5893
        XCTAssertEqual(count, encoder + decoder)
        XCTAssertEqual(count, 9_038_341)
    }

    func testSharingAllNeedsOneVocabulary() {
        var mismatched = config(shared: .all)
        mismatched.sourceVocabularySize = 5
        XCTAssertThrowsError(try TranslationTransformer(Graph(), config: mismatched))
    }
}
