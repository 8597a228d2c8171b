import Graph
import Models
import NN
import Spec

/// `gpt`: a decoder-only Transformer over batch-major tokens, with KV-cached decoding.
extension GPT.Config: BatchMajorLanguageModel {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        let (model, train) = (spec.model, spec.train)
        return [
            TensorSize([train.batchSize, train.seqLen, vocabularySize], "train.batch_size", "train.seq_len"),
            TensorSize([train.batchSize, model.heads, train.seqLen, train.seqLen],
                       "train.batch_size", "train.seq_len", "model.heads"),
            TensorSize([train.batchSize, train.seqLen, 4, model.width], "train.batch_size", "train.seq_len", "model.width"),
            TensorSize([model.blockSize, model.width], "model.block_size", "model.width"),
            TensorSize([vocabularySize, model.width], "model.width"),
            TensorSize([4, model.width, model.width], "model.width"),
        ]
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        guard spec.train.seqLen <= model.blockSize else {
            throw PlanError.invalid("train.seq_len \(spec.train.seqLen) is longer than model.block_size "
                + "\(model.blockSize), the positions GPT learns; lower seq_len or raise block_size",
                                    keys: ["train.seq_len", "model.block_size"])
        }
        guard let activation = Activation(rawValue: model.activation.rawValue),
              let norm = TransformerBlock.NormPlacement(rawValue: model.norm.rawValue) else {
            throw PlanError.unsupported("activation '\(model.activation.rawValue)'", keys: ["model.activation", "model.norm"])
        }
        self.init(vocabularySize: vocabularySize, blockSize: model.blockSize, layers: model.layers, heads: model.heads,
                  width: model.width, dropout: Float(model.dropout), bias: model.bias, activation: activation,
                  tieEmbeddings: model.tieEmbeddings, norm: norm, initialization: WeightInitialization(model, standard: .gpt2))
    }

    public var summary: String { "gpt (\(layers) layers, \(heads) heads, width \(width), block \(blockSize))" }
    public var window: Int? { nil }
    public var modelWidth: Int { width }
    /// The whole block: the sampler reads the logits at the last token of the context.
    public func decodeLength(training length: Int) -> Int { blockSize }

    public func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor {
        try GPT(graph, config: self)(tokens)
    }

    public func cachedDecoding() throws -> (step: LanguageModelPlan.CachedPass, refill: LanguageModelPlan.CachedPass)? {
        (try LanguageModelPlan.CachedPass(self, length: 1),
         try LanguageModelPlan.CachedPass(self, length: LanguageModelPlan.CachedPass.refillLength(slots: blockSize)))
    }
}
