import Data
import Foundation
import Runs
import Training

/// `runner predict RUN`: one line a text of standard input: the predicted class, a tab, its probability.
enum PredictCommand {
    static func run(_ path: String, checkpoint: CheckpointChoice) throws {
        let classifier = try RunClassifier(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: checkpoint)
        for warning in classifier.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        // Read as a labelled file's texts are: LF, CRLF or CR ends a line, white space at the ends goes.
        let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let lines = LabelledLines.lines(of: text).map(\.trimmingWhitespace)
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
        let filler = try RunMaskFiller(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: checkpoint)
        for warning in filler.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        var output = ""
        for (mask, guesses) in try filler.fill(text, count: count).enumerated() {
            for guess in guesses { output += "\(mask + 1)\t\(guess.token)\t" + String(format: "%.4f", guess.probability) + "\n" }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
