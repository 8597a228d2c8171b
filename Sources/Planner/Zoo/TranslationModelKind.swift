import Graph
import Spec

/// One kind of translation model, as the translation task asks about it: its config from the spec,
/// the sizes it refuses, what `runner check` says of it, its teacher-forced forward pass, and the two
/// graphs of decoding. Like `LanguageModelKind`, the conforming type is the model's own config, and
/// `ModelSpec.Kind.translationModel` (no `default`) is the one place a kind becomes one.
public protocol TranslationModelKind: Sendable {
    /// The config `spec` asks for over the two vocabularies; throws `PlanError` for settings the model
    /// cannot take.
    init(_ spec: ExperimentSpec, sourceVocabularySize: Int, targetVocabularySize: Int) throws
    /// The tensors a plan over batches of `shapes` would hold, checked before any graph is built.
    func largestTensors(_ shapes: [TranslationPlan.BucketShape]) -> [TensorSize]
    /// What `runner check` and the log print of the model: its kind and sizes.
    var summary: String { get }
    /// The width that schedules scale by (Noam's d_model).
    var modelWidth: Int { get }
    /// Whether the model can score a batch feeding its decoder its own argmax (`free_running`).
    var runsFree: Bool { get }
    /// The most positions a sentence takes on either side, its `<eos>` or `<bos>` included (a position
    /// table's rows): the longest source it encodes and the most steps it decodes; nil for no limit.
    var positionLimit: Int? { get }
    /// Logits (B, T, V) of a batch: `source` (B, S) ids, `mask` (B, S), `decoderInputs` (B, T) ids; with
    /// `freeRunning` (only when `runsFree`) every step after the first reads the previous argmax.
    func logits(_ graph: Graph, source: Tensor, mask: Tensor, decoderInputs: Tensor, freeRunning: Bool) throws -> Tensor
    /// The encoder graph over `sentences` sources of `sourceLength` positions and the decoder-step graph
    /// over `rows` hypotheses, for sentences decoded in at most `steps` steps.
    func decoding(sentences: Int, rows: Int, sourceLength: Int, steps: Int) throws
        -> (encode: TranslationPlan.EncodePass, step: TranslationPlan.StepPass)
}
