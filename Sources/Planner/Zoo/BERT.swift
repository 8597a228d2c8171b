import Models
import Spec

extension BERT.Config {
    /// BERT's sizes as `model` gives them (`width`, `layers`, `heads`, `ffn`, `max_positions`, the two
    /// dropouts) over a vocabulary: a masked_lm run's model and a classifier's BERT encoder alike.
    public init(_ model: ModelSpec, vocabularySize: Int, initialization: WeightInitialization) {
        self.init(vocabularySize: vocabularySize, width: model.width, layers: model.layers, heads: model.heads,
                  feedForwardSize: model.ffn ?? 4 * model.width, maxPositions: model.maxPositions, dropout: Float(model.dropout),
                  attentionDropout: Float(model.attentionDropout), initialization: initialization)
    }
}
