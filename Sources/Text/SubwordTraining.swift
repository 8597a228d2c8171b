import Core
import Foundation

/// The subword pipelines SeqLab trains, each the Hugging Face pipeline people usually build by that
/// name, so that a trained `tokenizer.json` means the same thing in both libraries.
public enum SubwordPipeline: String, CaseIterable, Hashable, Sendable {
    /// GPT-2: bytes as characters, the GPT-2 split, no unknown token (any text encodes).
    case byteLevelBPE = "bpe_bytelevel"
    /// Runs of word characters and of punctuation (`Whitespace`), an unknown token for unseen characters.
    case bpe
    /// BERT: `BertNormalizer`, `BertPreTokenizer`, WordPiece with `##` continuations.
    case wordPiece = "wordpiece"

    public var defaultSpecialTokens: [String] {
        switch self {
        case .byteLevelBPE: ["<|endoftext|>"]
        case .bpe: ["<unk>", "<pad>", "<bos>", "<eos>"]
        case .wordPiece: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        }
    }

    /// The special tokens that can serve as the unknown token, in order of preference.
    static let unknownNames = ["<unk>", "[UNK]", "<|unk|>", "<UNK>"]
}

extension HuggingFaceTokenizer {
    /// Trains `options.pipeline` on `text` as Hugging Face's trainers do (see `BPETrainer`): the text is
    /// read line by line (each line keeps its line break, as when the reference trains on files),
    /// normalized, cut into words and counted; merges are learned until the vocabulary holds
    /// `options.maxSize` tokens, special tokens included. The result is the `tokenizer.json` the
    /// reference would write, read back through the loader, so a trained tokenizer and its saved file
    /// can never disagree.
    public static func train(on text: String, options: TokenizerOptions) throws(TextError) -> HuggingFaceTokenizer {
        let pipeline = options.pipeline
        guard let vocabularySize = options.maxSize else {
            throw .invalidOption("a \(pipeline.rawValue) tokenizer needs a vocabulary size (vocab_size)")
        }
        guard options.normalization == .none else {
            throw .invalidOption("normalize: \(options.normalization.rawValue) applies to char and word tokenizers; "
                + "\(pipeline.rawValue) has its own normalizer (use lowercase)")
        }
        let specialTokens = options.specialTokens ?? pipeline.defaultSpecialTokens
        if let empty = specialTokens.firstIndex(of: "") {
            throw .invalidOption("special token \(empty + 1) is empty")
        }
        if let repeated = specialTokens.enumerated().first(where: { specialTokens[..<$0.offset].contains($0.element) }) {
            throw .invalidOption("special token \(doubleQuoted(repeated.element)) is listed twice")
        }
        let unknown = SubwordPipeline.unknownNames.first(where: specialTokens.contains)
        switch pipeline {
        case .byteLevelBPE where specialTokens.isEmpty:
            throw .invalidOption("byte-level BPE needs a special token (such as <|endoftext|>) to stand for "
                + "the unknown id, although no text is unknown to it")
        case .bpe where unknown == nil, .wordPiece where unknown == nil:
            throw .invalidOption("a \(pipeline.rawValue) tokenizer needs an unknown token among its special tokens "
                + "(add one of \(SubwordPipeline.unknownNames.joined(separator: ", ")))")
        default: break
        }

        let parts = Parts(pipeline, lowercase: options.lowercase)
        var trainer = BPETrainer(vocabularySize: vocabularySize, minFrequency: options.minFrequency,
                                 specialTokens: specialTokens)
        switch pipeline {
        case .byteLevelBPE: trainer.initialAlphabet = ByteLevel.characters
        case .wordPiece: trainer.continuingPrefix = Array(WordPieceModel.defaultPrefix.unicodeScalars)
        case .bpe: break
        }
        let result = trainer.train(parts.wordCounts(of: text))
        let document = parts.document(result, specialTokens: specialTokens, unknown: unknown)
        return try HuggingFaceTokenizer(source: Foundation.Data((document.pretty + "\n").utf8),
                                        file: "the trained \(pipeline.rawValue) tokenizer")
    }

    /// A pipeline's normalizer, pre-tokenizer and decoder, the same values the loader reads.
    private struct Parts {
        let pipeline: SubwordPipeline
        let normalizer: Normalizer?
        let preTokenizer: PreTokenizer
        let decoder: TokenDecoder

        init(_ pipeline: SubwordPipeline, lowercase: Bool) {
            self.pipeline = pipeline
            switch pipeline {
            case .byteLevelBPE:
                normalizer = lowercase ? .lowercase : nil
                preTokenizer = .byteLevel(addPrefixSpace: false, useRegex: true)
                decoder = .byteLevel
            case .bpe:
                normalizer = lowercase ? .lowercase : nil
                preTokenizer = .whitespace
                decoder = .spaces
            case .wordPiece:
                normalizer = .bert(cleanText: true, chineseCharacters: true, stripAccents: lowercase, lowercase: lowercase)
                preTokenizer = .bert
                decoder = .wordPiece(prefix: WordPieceModel.defaultPrefix, cleanup: true)
            }
        }

        /// The words of `text` as the model sees them, counted line by line.
        func wordCounts(of text: String) -> WordCounts {
            var counts = WordCounts()
            var line: [Unicode.Scalar] = []
            func flush() {
                let normalized = normalizer?.apply(line) ?? line
                for word in preTokenizer.words(normalized) { counts.add(word) }
                line.removeAll(keepingCapacity: true)
            }
            for scalar in text.unicodeScalars {
                line.append(scalar)
                if scalar == "\n" { flush() }
            }
            if !line.isEmpty { flush() }
            return counts
        }

        /// The `tokenizer.json` of a trained model, key for key what the reference writes.
        func document(_ result: BPETrainer.Result, specialTokens: [String], unknown: String?) -> JSONValue {
            let vocabulary = JSONValue.object(JSONObject(ordered: result.tokens.enumerated().map { id, token in
                (TokenTable.string(token), .int(id))
            }))
            let model: [(key: String, value: JSONValue)]
            switch pipeline {
            case .byteLevelBPE, .bpe:
                model = [
                    ("type", .string("BPE")), ("dropout", .null), ("unk_token", unknown.map(JSONValue.string) ?? .null),
                    ("continuing_subword_prefix", .null), ("end_of_word_suffix", .null), ("fuse_unk", .bool(false)),
                    ("byte_fallback", .bool(false)), ("ignore_merges", .bool(false)), ("vocab", vocabulary),
                    ("merges", .array(result.merges.map { merge in
                        .array([.string(TokenTable.string(result.tokens[merge.left])),
                                .string(TokenTable.string(result.tokens[merge.right]))])
                    })),
                ]
            case .wordPiece:
                model = [
                    ("type", .string("WordPiece")), ("unk_token", unknown.map(JSONValue.string) ?? .null),
                    ("continuing_subword_prefix", .string(WordPieceModel.defaultPrefix)),
                    ("max_input_chars_per_word", .int(WordPieceModel.defaultMaxCharacters)),
                    ("vocab", vocabulary),
                ]
            }
            let added = specialTokens.enumerated().map { id, token in
                JSONValue.object([
                    ("id", .int(id)), ("content", .string(token)), ("single_word", .bool(false)),
                    ("lstrip", .bool(false)), ("rstrip", .bool(false)), ("normalized", .bool(false)),
                    ("special", .bool(true)),
                ])
            }
            return .object([
                ("version", .string("1.0")), ("truncation", .null), ("padding", .null), ("added_tokens", .array(added)),
                ("normalizer", normalizer?.document ?? .null), ("pre_tokenizer", preTokenizer.document),
                ("post_processor", .null), ("decoder", decoder.document), ("model", .object(JSONObject(ordered: model))),
            ])
        }
    }
}
