import Data
import Foundation
import Translation

/// `runner bleu --ref REF --hyp HYP`: sacreBLEU's corpus score (or one sentence score a line) for any
/// two files read line by line.
enum BLEUCommand {
    struct Request: Equatable {
        var reference: String
        var hypotheses: String
        var tokenization = BLEU.Tokenization.mteval13a
        var lowercase = false
        var sentence = false
    }

    static func run(_ request: Request) throws {
        // Cut into lines as sacreBLEU cuts them, so that the scores are its scores whatever the line ends.
        let references = DataLocator.lineFeedLines(of: try DataLocator.readText(at: URL(fileURLWithPath: request.reference)))
        let hypotheses = DataLocator.lineFeedLines(of: try DataLocator.readText(at: URL(fileURLWithPath: request.hypotheses)))
        guard references.count == hypotheses.count else {
            throw DataError.lineCountMismatch(first: request.hypotheses, firstLines: hypotheses.count,
                                              second: request.reference, secondLines: references.count)
        }
        let bleu = BLEU(tokenization: request.tokenization, lowercase: request.lowercase)
        if request.sentence {
            for (hypothesis, reference) in zip(hypotheses, references) {
                print(bleu.sentence(hypothesis: hypothesis, reference: reference))
            }
        } else {
            print(bleu.corpus(hypotheses: hypotheses, references: references))
        }
    }
}
