import Data
import Graph
import Models
import Spec

/// One kind of language model, as everything outside its own files asks about it: its config from the
/// spec, the sizes it refuses, how a batch is laid out for it, the context it reads, what `runner
/// check` says of it, and how it builds its forward pass.
///
/// The conforming type is the model's own config (`GPT.Config`), so a plan holds one value that both
/// describes the model and builds it. Each kind has one file in Zoo/ and one line in
/// `ModelSpec.Kind.languageModel`, whose switch has no `default`: a kind added to the spec without an
/// entry there does not compile.
public protocol LanguageModelKind: Sendable {
    /// The tensors a plan of `spec` would hold, checked before any graph is built so that sizes that
    /// overflow `Int` or would take minutes to unroll are refused with the keys to lower.
    static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize]
    /// The config `spec` asks for, over `vocabularySize` tokens; `largestTensors` has passed.
    init(_ spec: ExperimentSpec, vocabularySize: Int) throws
    /// What `runner check` prints of the model: its kind and sizes.
    var summary: String { get }
    /// How the passes' token inputs are ordered.
    var layout: BatchLayout { get }
    /// Tokens of context a window model reads, making one prediction per row; nil for sequence models.
    var window: Int? { get }
    /// The width that schedules scale by (Noam's d_model).
    var modelWidth: Int { get }
    /// Tokens the decode pass takes for a model trained on sequences of `length`: 1 for a model that
    /// carries a state, its whole context for one that rereads it.
    func decodeLength(training length: Int) -> Int
    /// Builds the model over a batch of `batchSize` sequences of `length` tokens into `graph`.
    func forward(_ graph: Graph, batchSize: Int, length: Int) throws -> LanguageModelForward
    /// The passes of KV-cached decoding (one new token a run, and a chunk that refills a full cache);
    /// nil for models without a cache.
    func cachedDecoding() throws -> (step: LanguageModelPlan.CachedPass, refill: LanguageModelPlan.CachedPass)?
    /// Whether the model learns by counting its training examples (`counted`) instead of by steps.
    var fitsByCounting: Bool { get }
    /// A counted model's parameter values from the training examples: contexts (N, window) row-major
    /// and the N ids they predict.
    func counted(contexts: [Int], targets: [Int]) -> [(key: String, values: [Float])]
}

extension LanguageModelKind {
    public func cachedDecoding() throws -> (step: LanguageModelPlan.CachedPass, refill: LanguageModelPlan.CachedPass)? { nil }
    public var fitsByCounting: Bool { false }
    public func counted(contexts: [Int], targets: [Int]) -> [(key: String, values: [Float])] { [] }
}

/// A forward pass's endpoints: logits (in the kind's layout), the targets they are scored against and
/// the carried state, as input names and the tensors to read back after a run.
public struct LanguageModelForward {
    /// What decoding reads: the left-to-right model's logits.
    public let logits: Tensor
    public let targets: Tensor
    public let stateInputs: [String]
    public let stateOutputs: [Tensor]
    /// A model that predicts in more than one direction (ELMo's biLM): each direction's logits and
    /// targets under its name. The loss is then the mean of the directions' losses, and each is
    /// reported; empty for the others, whose loss scores `logits` against `targets`.
    public var directions: [(name: String, logits: Tensor, targets: Tensor)] = []

    public init(logits: Tensor, targets: Tensor, stateInputs: [String], stateOutputs: [Tensor],
                directions: [(name: String, logits: Tensor, targets: Tensor)] = []) {
        (self.logits, self.targets, self.stateInputs, self.stateOutputs) = (logits, targets, stateInputs, stateOutputs)
        self.directions = directions
    }
}

/// A stateless model over batch-major tokens (B, T): GPT, WaveNet and the window models. A window
/// model's logits are (B, 1, V), scored against the last column of the stream-shaped targets: the
/// token after each context.
public protocol BatchMajorLanguageModel: LanguageModelKind {
    /// logits (B, T, V), or (B, 1, V) for a window model, from tokens (B, T).
    func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor
}

extension BatchMajorLanguageModel {
    public var layout: BatchLayout { .batchMajor }

    public func forward(_ graph: Graph, batchSize: Int, length: Int) throws -> LanguageModelForward {
        let tokens = graph.input(LanguageModelPlan.tokens, shape: [batchSize, length], dtype: .int32)
        let targets = graph.input(LanguageModelPlan.targets, shape: [batchSize, length], dtype: .int32)
        let scored = window == nil ? targets : try targets.sliced(axis: 1, (length - 1)..<length)    // (B, T) or (B, 1)
        return LanguageModelForward(logits: try logits(graph, tokens: tokens), targets: scored, stateInputs: [],
                                    stateOutputs: [])
    }
}
