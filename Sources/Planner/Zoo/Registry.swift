import Models
import Spec

extension ModelSpec.Kind {
    /// The zoo's entry for this kind: the one place where a kind becomes a model. There is no
    /// `default`, so a kind added to the spec compiles only once it has an entry (or says here why it
    /// has none).
    public var languageModel: (any LanguageModelKind.Type)? {
        switch self {
        case .rnnLM: RNNLanguageModel.Config.self
        case .gpt: GPT.Config.self
        case .mlpLM: MLPLanguageModel.Config.self
        case .wavenetHier: HierarchicalWaveNet.Config.self
        case .ngram: NGramModel.Config.self
        case .wavenet: WaveNet.Config.self
        case .elmo: ELMo.Config.self
        // Encoder–decoders translate (`translationModel`); word vectors learn in place, outside the
        // graph engine (Training's `WordVectorModel`); classifiers and masked LMs have their own plans
        // (`ClassificationPlan`, `MaskedLMPlan`).
        case .seq2seq, .transformer, .bert, .word2vec, .glove, .fasttext, .classifier: nil
        }
    }
}

extension WeightInitialization {
    /// The spec's `init`, with `standard` as the kind's `default`.
    init(_ model: ModelSpec, standard: WeightInitialization) {
        switch model.initialization {
        case .standard: self = standard
        case .gpt2: self = .gpt2
        case .pytorch: self = .pytorch
        case .makemore: self = .makemore
        case .wordLanguageModel: self = .wordLanguageModel
        case .normal: self = .normal(std: Float(model.initScale ?? 1))
        case .uniform: self = .uniform(bound: Float(model.initScale ?? 1))
        case .xavierUniform: self = .xavierUniform
        case .bert: self = .bert
        }
    }
}

extension ModelSpec.Kind {
    /// The zoo's entry for a translation model kind; nil for the kinds of other tasks.
    public var translationModel: (any TranslationModelKind.Type)? {
        switch self {
        case .seq2seq: EncoderDecoder.Config.self
        case .transformer: TranslationTransformer.Config.self
        case .rnnLM, .gpt, .mlpLM, .wavenetHier, .ngram, .wavenet, .bert, .word2vec, .glove, .fasttext, .classifier, .elmo: nil
        }
    }
}
