import Core
import Data
import Foundation
import Runs
import Text

/// `runner tokenize`, for people who debug tokenisation: what a tokenizer file makes of each line of
/// standard input, or a tokenizer trained on a corpus and saved as `tokenizer.json`.
enum TokenizeCommand {
    /// One JSON object per input line, `{"ids": [...], "tokens": [...]}`, no special tokens added.
    /// Output is written in blocks, so piping a corpus through it is not bound by per-line writes.
    static func encode(tokenizerPath: String) throws {
        let tokenizer = try TokenizerFile.load(from: URL(fileURLWithPath: tokenizerPath))
        var output = ""
        // All of standard input first, so that a byte that is not UTF-8 is refused with its line
        // rather than read as U+FFFD; lines end in LF, CRLF or CR.
        for line in DataLocator.lines(of: try DataLocator.standardInputText()) {
            let ids = tokenizer.encode(line)
            output += "{\"ids\": [" + ids.map(String.init).joined(separator: ", ") + "], \"tokens\": ["
                + ids.map { doubleQuoted(tokenizer.token(for: $0) ?? "") }.joined(separator: ", ") + "]}\n"
            if output.utf8.count > 1 << 16 { flush(&output) }
        }
        flush(&output)
    }

    /// Trains on the corpus (a registry name or a path), saves the tokenizer and reports what it made.
    static func train(_ request: Command.TokenizerTraining) throws {
        let output = try RunDirectory.checkOutput(request.output, flag: "--out")      // before the training it would waste
        let locator = DataLocator.forCurrentProcess(dataDirectory: request.dataDirectory)
        if try locator.urls(for: request.corpus).contains(where: { $0.resolvingSymlinksInPath().path == output.path }) {
            throw Command.UsageError(message: "--out \(request.output) is the corpus --train reads; saving there would replace "
                + "it: give another path")
        }
        let text = try locator.text(of: request.corpus)
        guard !text.isBlank else {
            throw Command.UsageError(message: "--train \(request.corpus): the corpus has no text to learn a vocabulary from")
        }
        let start = Date()
        let tokenizer = try HuggingFaceTokenizer.train(on: text, options: TokenizerOptions(
            lowercase: request.lowercase, minFrequency: request.minFrequency, maxSize: request.vocabularySize,
            pipeline: SubwordPipeline(rawValue: request.kind) ?? .bpe, specialTokens: request.specialTokens))
        let seconds = Date().timeIntervalSince(start)
        try tokenizer.save(to: output)
        print(String(format: "trained %@ on %@: %d tokens in %.2f s; saved %@", request.kind, request.corpus,
                     tokenizer.vocabularySize, seconds, request.output))
        // As Hugging Face's trainers, every character seen is a token whatever the size asked for.
        if tokenizer.vocabularySize > request.vocabularySize {
            print("note: that is more than --vocab-size \(request.vocabularySize): the special tokens and every character "
                + "of the corpus are tokens before any merge")
        }
    }

    private static func flush(_ output: inout String) {
        FileHandle.standardOutput.write(Data(output.utf8))
        output.removeAll(keepingCapacity: true)
    }
}
