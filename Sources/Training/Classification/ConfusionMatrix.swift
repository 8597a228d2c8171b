/// Counts of (gold class, predicted class) over a split, and the scores read from them: accuracy and
/// macro-F1 as scikit-learn's `f1_score(average="macro")` computes it (the mean of each class's F1
/// over the classes that occur as gold or as prediction; a class's F1 is 0 when it has no true
/// positive).
struct ConfusionMatrix: Equatable {
    /// counts[gold][predicted].
    private(set) var counts: [[Int]]

    init(classes: Int) {
        counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    }

    mutating func add(gold: Int, predicted: Int) {
        counts[gold][predicted] += 1
    }

    var total: Int { counts.joined().reduce(0, +) }

    var accuracy: Double {
        Double(counts.indices.reduce(0) { $0 + counts[$1][$1] }) / Double(max(total, 1))
    }

    var macroF1: Double {
        let classes = counts.indices
        let gold = classes.map { counts[$0].reduce(0, +) }
        let predicted = classes.map { c in classes.reduce(0) { $0 + counts[$1][c] } }
        let present = classes.filter { gold[$0] > 0 || predicted[$0] > 0 }
        let scores = present.map { c -> Double in
            let truePositives = Double(counts[c][c])
            // F1 = 2·TP / (gold + predicted), 0 without a true positive.
            return truePositives == 0 ? 0 : 2 * truePositives / Double(gold[c] + predicted[c])
        }
        return scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
    }
}
