import Graph

/// How a model's weights start. Every layer registers PyTorch's default; a recipe then replaces the
/// initializers of the parameters it names (`Graph.reinitialize`) before the arena is filled.
///
/// `pytorch`, `gpt2` and `makemore` are each model's own business (GPT-2's scheme belongs to GPT,
/// makemore's scaled inits to the window models, which follow the lecture that trained them); the
/// generic recipes apply to any model through `apply(to:)`.
public enum WeightInitialization: Hashable, Sendable {
    /// The layers' PyTorch defaults.
    case pytorch
    /// GPT-2's N(0, 0.02) with scaled residual projections (GPT only).
    case gpt2
    /// The makemore lectures' scaled normal inits (the window models only).
    case makemore
    /// PyTorch's `word_language_model` (`RNNModel.init_weights`): the embedding and output tables
    /// U(−0.1, 0.1), the output bias 0, the recurrent layers' defaults (recurrent LMs only).
    case wordLanguageModel
    /// N(0, std²) for every parameter that does not start at a constant (normalisation gains and
    /// biases keep their ones and zeros): makemore part 2's `torch.randn` everywhere.
    case normal(std: Float)
    /// U(−bound, bound) for every parameter that does not start at a constant: Sutskever et al.'s
    /// U(−0.08, 0.08).
    case uniform(bound: Float)
    /// Xavier-uniform for every matrix (rank ≥ 2), other parameters as they were: the Transformer
    /// tutorials' `if p.dim() > 1: nn.init.xavier_uniform_(p)`.
    case xavierUniform
    /// BERT's `_init_weights`: N(0, 0.02²) for every matrix and embedding table, zero biases,
    /// LayerNorm gains one.
    case bert

    /// Applies a generic recipe to the trainable parameters of `graph`; the model-specific recipes
    /// (`pytorch`, `gpt2`, `makemore`, `wordLanguageModel`) leave it as it is.
    public func apply(to graph: Graph) {
        let startsVaried = { (info: ParameterInfo) -> Bool in
            switch info.initializer {
            case .zeros, .ones, .constant: false
            default: true
            }
        }
        switch self {
        case .pytorch, .gpt2, .makemore, .wordLanguageModel:
            return
        case .normal(let std):
            graph.reinitialize(where: { $0.trainable && startsVaried($0) }, with: .normal(mean: 0, std: std))
        case .uniform(let bound):
            graph.reinitialize(where: { $0.trainable && startsVaried($0) }, with: .uniform(low: -bound, high: bound))
        case .xavierUniform:
            graph.reinitialize(where: { $0.trainable && $0.shape.rank >= 2 }, with: .xavierUniform(gain: 1))
        case .bert:
            graph.reinitialize(where: { $0.trainable && $0.shape.rank >= 2 }, with: .normal(mean: 0, std: 0.02))
            graph.reinitialize(where: { $0.trainable && $0.shape.rank == 1 && startsVaried($0) }, with: .zeros)
        }
    }
}
