import Foundation

/// The word-analogy test of Mikolov et al. 2013 (`questions-words.txt`): sections headed `: name`,
/// then questions `a b c d` ("a is to b as c is to d"), answered by 3CosAdd as gensim's
/// `evaluate_word_analogies` does.
public struct Analogies: Sendable {
    public struct Section: Sendable {
        public let name: String
        public var questions: [[String]]
        /// gensim's convention: the `gram…` sections are syntactic, the others semantic.
        public var isSyntactic: Bool { name.hasPrefix("gram") }
    }

    public let sections: [Section]

    /// A question before any section header, or a line that is not four words, is named by file and line.
    public init(text: String, path: String) throws(EmbeddingsError) {
        var sections: [Section] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            if line.hasPrefix(":") {
                sections.append(Section(name: line.dropFirst().trimmingCharacters(in: .whitespaces), questions: []))
                continue
            }
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 4 else {
                throw .malformedLine(file: path, line: number + 1, expected: "four words (a b c d: a is to b as c is to d)")
            }
            guard !sections.isEmpty else {
                throw .malformedLine(file: path, line: number + 1, expected: "a section header ': name' before the first question")
            }
            sections[sections.count - 1].questions.append(words)
        }
        self.sections = sections
    }

    public struct Score: Sendable, Equatable {
        /// Correct over answerable questions, per section (in file order) and over all.
        public var sections: [(name: String, correct: Int, answered: Int)]
        public var correct: Int
        /// Questions whose four words are all among the `restrict` most frequent.
        public var answered: Int
        public var total: Int
        public var semantic: (correct: Int, answered: Int)
        public var syntactic: (correct: Int, answered: Int)

        public var accuracy: Double { Self.accuracy(correct, of: answered) }

        /// correct / answered, 0 for none answered.
        public static func accuracy(_ correct: Int, of answered: Int) -> Double {
            answered > 0 ? Double(correct) / Double(answered) : 0
        }

        public static func == (a: Score, b: Score) -> Bool {
            a.correct == b.correct && a.answered == b.answered && a.total == b.total
                && a.sections.elementsEqual(b.sections) { $0 == $1 }
        }
    }

    /// The model's answers over the `restrict` most frequent words: a question counts only when all
    /// four words are among them (case-insensitively); the answer is the nearest word to b − a + c
    /// that is not a, b or c.
    public func score(_ vectors: WordVectors, restrict: Int = 30_000) -> Score {
        let limit = min(restrict, vectors.words.count)
        let folded = CaseFoldedVocabulary(vectors.words, limit: limit)
        var score = Score(sections: [], correct: 0, answered: 0, total: 0, semantic: (0, 0), syntactic: (0, 0))
        // Every answerable question's ids, then all their answers in one pass.
        let answerable = sections.map { section in section.questions.compactMap { question -> [Int]? in
            let ids = question.compactMap { folded[$0] }
            return ids.count == 4 ? ids : nil
        } }
        // A spelling of a question word in another case is a question word too, as gensim compares upper-cased words.
        let sameWord = vectors.words.prefix(limit).map { folded[$0]! }
        var answers = vectors.answers(answerable.flatMap { $0.map { (a: $0[0], b: $0[1], c: $0[2]) } }, restrict: limit,
                                      sameWord: sameWord)[...]
        for (section, questions) in zip(sections, answerable) {
            score.total += section.questions.count
            let correct = zip(questions, answers.prefix(questions.count)).filter { question, answer in
                answer.map { sameWord[$0] == question[3] } ?? false
            }.count
            let answered = questions.count
            answers = answers.dropFirst(questions.count)
            score.sections.append((section.name, correct, answered))
            score.correct += correct
            score.answered += answered
            if section.isSyntactic {
                score.syntactic = (score.syntactic.correct + correct, score.syntactic.answered + answered)
            } else {
                score.semantic = (score.semantic.correct + correct, score.semantic.answered + answered)
            }
        }
        return score
    }
}
