@testable import Training
import XCTest

/// Accuracy and macro-F1 from a confusion matrix, against values worked by hand as scikit-learn's
/// `accuracy_score` and `f1_score(average="macro")` define them.
final class ConfusionMatrixTests: XCTestCase {
    private func matrix(classes: Int, gold: [Int], predicted: [Int]) -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classes: classes)
        for (g, p) in zip(gold, predicted) { matrix.add(gold: g, predicted: p) }
        return matrix
    }

    func testAccuracyAndMacroF1ByHand() {
        // Rows gold, columns predicted: [[2, 1, 0], [0, 1, 1], [1, 0, 3]].
        let gold = [0, 0, 0, 1, 1, 2, 2, 2, 2], predicted = [0, 1, 0, 1, 2, 2, 2, 0, 2]
        let three = matrix(classes: 3, gold: gold, predicted: predicted)
        XCTAssertEqual(three.counts, [[2, 1, 0], [0, 1, 1], [1, 0, 3]])
        XCTAssertEqual(three.accuracy, 6.0 / 9, accuracy: 1e-12)
        // F1 = 2·TP / (gold + predicted): 4/6, 2/4, 6/8.
        XCTAssertEqual(three.macroF1, (4.0 / 6 + 2.0 / 4 + 6.0 / 8) / 3, accuracy: 1e-12)
        // A class neither gold nor predicted anywhere is left out of the mean, as scikit-learn's labels.
        XCTAssertEqual(matrix(classes: 5, gold: gold, predicted: predicted).macroF1, three.macroF1, accuracy: 1e-12)
        // A class only predicted counts, with F1 0.
        let spurious = matrix(classes: 2, gold: [0, 0], predicted: [0, 1])
        XCTAssertEqual(spurious.macroF1, (2.0 / 3 + 0) / 2, accuracy: 1e-12)
        XCTAssertEqual(spurious.accuracy, 0.5)
        XCTAssertEqual(ConfusionMatrix(classes: 2).total, 0)
    }

    /// Classes in numeric order when every label is a number, decimals too; else in text order.
    func testClassesAreInNumericOrderWhenEveryLabelIsANumber() {
        XCTAssertEqual(ClassificationCorpus.classes(of: ["1", "2", "10", "1.5", "2"]), ["1", "1.5", "2", "10"])
        XCTAssertEqual(ClassificationCorpus.classes(of: ["-1", "0", "1", "-0.5"]), ["-1", "-0.5", "0", "1"])
        XCTAssertEqual(ClassificationCorpus.classes(of: ["10", "2", "nan"]), ["10", "2", "nan"], "nan is a word here")
        XCTAssertEqual(ClassificationCorpus.classes(of: ["pos", "neg", "10"]), ["10", "neg", "pos"])
    }
}
