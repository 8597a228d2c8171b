import Data
import Foundation
import Runs
import Spec
import Studies
import Training

/// `runner translate RUN`: one detokenised translation a line (with `--nbest N`, N lines a source:
/// rank, score, translation), of a split's sources or of standard input; the speed on stderr.
enum TranslateCommand {
    static func run(_ path: String, _ options: Command.TranslateOptions) throws {
        let locator = DataLocator.forCurrentProcess(dataDirectory: options.dataDirectory)
        let translator = try RunTranslator(try RunDirectory.open(URL(fileURLWithPath: path)), locator: locator,
                                           checkpoint: options.checkpoint)
        for warning in translator.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        var decoding = translator.decoding
        decoding.beam = options.beam ?? decoding.beam
        decoding.lenpen = options.lenpen ?? decoding.lenpen
        decoding.maxLenA = options.maxLenA ?? decoding.maxLenA
        decoding.maxLenB = options.maxLenB ?? decoding.maxLenB
        let nBest = options.nBest ?? 1
        guard nBest <= decoding.beam else {
            throw Command.UsageError(message: "--nbest \(nBest) is more than the beam \(decoding.beam) keeps; "
                + "raise --beam or lower --nbest")
        }
        // The attention map's file and model are checked before translating, so that a mistake costs nothing.
        let attentionFile = try options.attention.map { try RunDirectory.checkOutput($0, flag: "--attention") }
        if attentionFile != nil, !translator.hasAttention {
            throw Command.UsageError(message: "--attention: the model has no attention (model.attention: none)")
        }
        let lines = try options.split.map { try translator.sources(of: $0) }
            ?? DataLocator.lines(of: DataLocator.standardInputText())       // LF, CRLF or CR ends a line
        if attentionFile != nil, lines.allSatisfy(\.isBlank) {
            throw Command.UsageError(message: "--attention: no source sentence to draw (standard input is empty or blank)")
        }
        let start = Date()
        let translations = try translator.translate(lines, decoding: decoding, nBest: nBest)
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        var output = ""
        for hypotheses in translations {
            // --nbest 1 still prints the rank and score: the one way to see a translation's score.
            if options.nBest == nil {
                output += (hypotheses.first?.text ?? "") + "\n"
            } else {
                for (rank, hypothesis) in hypotheses.enumerated() {
                    output += "\(rank + 1)\t" + String(format: "%.4f", hypothesis.score) + "\t\(hypothesis.text)\n"
                }
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        // The first sentence: a blank line has nothing to draw.
        if let file = attentionFile, let (first, hypotheses) = zip(lines, translations).first(where: { !$0.0.isBlank }),
           let best = hypotheses.first, let drawn = try translator.attention(source: first, translation: best.text) {
            let maps = drawn.maps.map { map in
                AttentionMap(source: drawn.source, target: drawn.target, weights: map.weights.map { $0.map(Double.init) },
                             title: map.title)
            }
            let svg = maps.count == 1 ? maps[0].svg : AttentionMap.grid(maps, columns: drawn.columns)
            try atomicWrite(Data(svg.utf8), to: file)
        }
        let tokens = translations.compactMap(\.first).map { $0.text.split(separator: " ").count }.reduce(0, +)
        FileHandle.standardError.write(Data(String(format: "%d sentences in %.3f s (%.1f sentences/s, %.0f tokens/s)\n",
                                                   lines.count, seconds, Double(lines.count) / seconds,
                                                   Double(tokens) / seconds).utf8))
    }
}
