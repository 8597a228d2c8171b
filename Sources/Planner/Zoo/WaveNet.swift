import Graph
import Models
import Spec

/// `wavenet`: stacks of dilated causal convolutions over batch-major tokens; one pass scores every step.
extension WaveNet.Config: BatchMajorLanguageModel {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        let (model, train) = (spec.model, spec.train)
        let widest = [model.residualChannels, 2 * model.dilationChannels, model.skipChannels, vocabularySize,
                      model.inputWidth(vocabularySize: vocabularySize)].max() ?? 1
        // The widest dilation pads (K − 1)·2^(layers − 1) steps in front of every sequence.
        let reach = model.layers > 40 ? Int.max : TensorSize.product([model.kernelSize - 1, 1 << (model.layers - 1)])
        let (padded, overflow) = train.seqLen.addingReportingOverflow(reach)
        return [
            TensorSize([train.batchSize, overflow ? .max : padded, widest], "model.layers", "model.kernel_size"),
            TensorSize([train.batchSize, train.seqLen, widest, model.layers, model.stacks],
                       "train.batch_size", "train.seq_len", "model.layers", "model.stacks", "model.residual_channels",
                       "model.dilation_channels", "model.skip_channels"),
            TensorSize([model.kernelSize, 2 * model.dilationChannels, model.residualChannels],
                       "model.kernel_size", "model.dilation_channels", "model.residual_channels"),
            TensorSize([vocabularySize, model.skipChannels], "model.skip_channels"),
        ]
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        self.init(vocabularySize: vocabularySize, embedding: model.embedding, residualChannels: model.residualChannels,
                  dilationChannels: model.dilationChannels, skipChannels: model.skipChannels, kernelSize: model.kernelSize,
                  layersPerStack: model.layers, stacks: model.stacks,
                  initialization: WeightInitialization(model, standard: .pytorch))
    }

    public var summary: String {
        "wavenet (\(stacks) × \(layersPerStack) layers, kernel \(kernelSize), residual \(residualChannels), gate "
            + "\(dilationChannels), skip \(skipChannels), receptive field \(receptiveField) tokens)"
    }
    public var window: Int? { nil }
    public var modelWidth: Int { dilationChannels }
    /// The training length: at least its receptive field is useful.
    public func decodeLength(training length: Int) -> Int { length }

    public func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor {
        try WaveNet(graph, config: self)(tokens)
    }
}
