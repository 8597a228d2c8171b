import Data
import Foundation
import Runs
import Training

/// `runner predict RUN`: one line a text of standard input: the predicted class, a tab, its probability.
enum PredictCommand {
    static func run(_ path: String, checkpoint: CheckpointChoice) throws {
        let classifier = try RunClassifier(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: checkpoint)
        for warning in classifier.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let lines = try textLines()
        let start = Date()
        let predictions = try classifier.predict(lines)
        let seconds = max(Date().timeIntervalSince(start), 1e-9)
        let output = predictions.map { $0.label + "\t" + String(format: "%.4f", $0.probability) + "\n" }.joined()
        FileHandle.standardOutput.write(Data(output.utf8))
        FileHandle.standardError.write(Data(String(format: "%d texts in %.3f s (%.1f texts/s)\n", lines.count, seconds,
                                                   Double(lines.count) / seconds).utf8))
    }
}

/// `runner fill-mask RUN TEXT`: for each `[MASK]` of the text, the most probable tokens, one a line:
/// the mask's number, the token, its probability.
enum FillMaskCommand {
    static func run(_ path: String, text: String, count: Int, checkpoint: CheckpointChoice) throws {
        let filler = try PretrainedBERT(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: checkpoint)
        for warning in filler.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        var output = ""
        for (mask, guesses) in try filler.fill(text, count: count).enumerated() {
            for guess in guesses { output += "\(mask + 1)\t\(guess.token)\t" + String(format: "%.4f", guess.probability) + "\n" }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

/// `runner embed RUN`: one vector per line of standard input, from a masked_lm run's BERT or an elmo
/// run's biLM: JSON lines
/// of numbers, or with `--out FILE.npy` one float32 matrix (lines × width) that `numpy.load` reads.
enum EmbedCommand {
    static func run(_ path: String, _ options: Command.EmbedOptions) throws {
        let run = try RunDirectory.open(URL(fileURLWithPath: path))
        // Checked before the lines are embedded.
        let outputFile = try options.output.map { try RunDirectory.checkOutput($0, flag: "--out") }
        let (vectors, width): ([[Float]], Int)
        let holdsELMo = try PretrainedELMo.holds(run)
        if options.elmo || holdsELMo {
            let elmo = try PretrainedELMo(run, checkpoint: options.checkpoint)
            for warning in elmo.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            if options.pool == .cls { throw Command.UsageError(message: "--pool cls: ELMo has no [CLS]; an elmo run's vectors "
                + "are means over each line (--pool mean)") }
            (vectors, width) = (try elmo.embed(textLines(), layer: options.layer), elmo.vectorWidth)
        } else {
            let bert = try PretrainedBERT(run, checkpoint: options.checkpoint, command: "embed")
            for warning in bert.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            (vectors, width) = (try bert.embed(textLines(), layer: options.layer, pool: options.pool ?? .cls), bert.vectorWidth)
        }
        if let outputFile, let out = options.output {
            // Empty input gives a (0, width) matrix, which stacks with the model's other vectors.
            try atomicWrite(NumpyArray.encode(vectors.flatMap { $0 }, rows: vectors.count, columns: width), to: outputFile)
            print(out)
        } else {
            let output = vectors.map { "[" + $0.map { String(format: "%.7g", $0) }.joined(separator: ", ") + "]\n" }.joined()
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }
}

/// The lines of standard input as a labelled file's texts are read: LF, CRLF or CR ends a line, and
/// white space at either end goes.
private func textLines() throws -> [String] {
    let text = try DataLocator.standardInputText()
    return DataLocator.lines(of: text).map(\.trimmingWhitespace)
}
