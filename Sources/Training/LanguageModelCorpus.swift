import Core
import Data
import Foundation
import Spec
import Text

/// The text of an experiment, its tokenizer (trained on it) and the token streams of its splits.
public struct LanguageModelCorpus {
    public let tokenizer: any Tokenizer
    public let splits: TokenSplits

    /// Reads the spec's corpus through `locator`, trains the spec's tokenizer on it (or uses the given
    /// one, e.g. a resumed run's) and splits the encoded stream (cut to `max_chars` tokens first, as
    /// d2l cuts The Time Machine).
    public init(_ spec: ExperimentSpec, locator: DataLocator, tokenizer given: (any Tokenizer)? = nil) throws {
        let data = spec.data
        let options = TokenizerOptions(
            lowercase: spec.tokenizer.lowercase,
            normalization: spec.tokenizer.normalize == .letters ? .letters : .none,
            minFrequency: spec.tokenizer.minFreq, maxSize: spec.tokenizer.maxSize,
            reserved: Set(spec.tokenizer.reserved.compactMap(ReservedToken.init(rawValue:))))
        if let files = data.files {
            let train = try locator.text(of: files.train)
            let trained = try given ?? Self.tokenizer(spec.tokenizer.kind, training: train, options: options)
            let encode = { (path: String?) throws -> [Int] in try path.map { trained.encode(try locator.text(of: $0)) } ?? [] }
            tokenizer = trained
            splits = TokenSplits(train: trained.encode(train), valid: try encode(files.valid), test: try encode(files.test))
        } else {
            let text = try locator.text(of: data.corpus)
            tokenizer = try given ?? Self.tokenizer(spec.tokenizer.kind, training: text, options: options)
            let split = data.split ?? SplitSpec()
            splits = TokenSplits(text: text, tokenizer: tokenizer, maxTokens: data.maxChars,
                                 fractions: try SplitFractions(train: split.train, valid: split.valid, test: split.test))
        }
    }

    private static func tokenizer(_ kind: TokenizerSpec.Kind, training text: String, options: TokenizerOptions) throws
        -> any Tokenizer {
        switch kind {
        case .char: try CharTokenizer.train(on: text, options: options)
        case .word: try WordTokenizer.train(on: text, options: options)
        default: throw TrainingError.unsupported("tokenizer kind '\(kind.rawValue)' (char and word are built so far)")
        }
    }
}
