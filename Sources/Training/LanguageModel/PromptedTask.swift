import Core
import Data
import Foundation
import Runs

/// A multiple-choice task for GPT-3's zero-, one- and few-shot evaluation (Brown et al. 2020, §2):
/// one JSON object a line, `{"context": "...", "choices": ["...", ...], "answer": i}`, where `answer`
/// indexes `choices`. Blank lines are skipped; other keys (an id, a source) are left alone, as task
/// files often carry them.
///
/// Nothing is inserted between a context and a choice: a task whose answers follow a space writes the
/// space into each choice (`" Paris"`), as GPT-3's tasks do, so the text scored is the text trained on.
public struct PromptedTask: Sendable {
    /// One question and where it stands in its file.
    public struct Item: Sendable, Equatable {
        public let context: String
        public let choices: [String]
        public let answer: Int
        /// 1-based, for messages.
        public let line: Int

        /// The same question wherever it stands: the line is left out, so that a copy of an item on
        /// another line is kept out of its demonstrations too (the answer would be in the prompt).
        public static func == (a: Item, b: Item) -> Bool {
            a.context == b.context && a.choices == b.choices && a.answer == b.answer
        }

        /// How a demonstration shows the item: its context followed by its correct choice.
        var demonstration: String { context + choices[answer] }
    }

    /// GPT-3's separator between demonstrations, and between the last of them and the item's context.
    public static let separator = "\n\n"

    /// The file the items came from, as given: messages name it.
    public let path: String
    public let items: [Item]

    /// Reads a task file; every problem is named by file and line.
    public static func load(path: String) throws(DataError) -> PromptedTask {
        try PromptedTask(text: DataLocator.readText(at: URL(fileURLWithPath: path)), path: path)
    }

    /// Parses the JSON lines of `text`; `path` names it in messages.
    public init(text: String, path: String) throws(DataError) {
        var items: [Item] = []
        for (index, line) in DataLocator.lines(of: text).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            items.append(try Self.item(String(line), line: index + 1, path: path))
        }
        guard !items.isEmpty else { throw .malformed(file: path, line: 1, reason: "no items in the file; " + Self.format) }
        self.path = path
        self.items = items
    }

    private static let format = #"each line is {"context": "...", "choices": ["...", ...], "answer": i}"#

    private static func item(_ text: String, line: Int, path: String) throws(DataError) -> Item {
        func malformed(_ reason: String) -> DataError { .malformed(file: path, line: line, reason: reason) }
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONValue(parsing: text)
        } catch {
            throw malformed("not valid JSON (column \(error.column): \(error.reason))")
        }
        guard case .object(let fields) = value else { throw malformed("not an object; " + format) }
        guard case .string(let context)? = fields["context"] else { throw malformed("'context' must be a string; " + format) }
        guard case .array(let list)? = fields["choices"] else { throw malformed("'choices' must be a list of strings; " + format) }
        let choices = list.compactMap { if case .string(let choice) = $0 { choice } else { nil } }
        guard choices.count == list.count else { throw malformed("'choices' must hold strings only") }
        guard !choices.isEmpty else { throw malformed("'choices' is empty; an item needs at least one choice") }
        guard case .int(let answer)? = fields["answer"] else {
            throw malformed("'answer' must be an integer, the index of the correct choice; " + format)
        }
        guard choices.indices.contains(answer) else {
            throw malformed("'answer' \(answer) is not the index of one of the \(choices.count) choices (0 to \(choices.count - 1))")
        }
        return Item(context: context, choices: choices, answer: answer, line: line)
    }

    /// Each item's prompt: `shots` demonstrations and then its context, joined by `separator` (GPT-3's
    /// format). The demonstrations are drawn without replacement from `demos`, leaving out any item
    /// identical to the one scored, by one generator seeded with `seed` and drawn from item by item in
    /// file order, so the same seed gives the same prompts.
    public func prompts(shots: Int, demos: PromptedTask, seed: UInt64) throws(DataError) -> [String] {
        precondition(shots >= 0, "a negative number of shots")
        guard shots > 0 else { return items.map(\.context) }
        var generator = SeededGenerator(seed: seed)
        return try items.map { item throws(DataError) in
            let pool = demos.items.filter { $0 != item }
            guard pool.count >= shots else {
                throw .malformed(file: path, line: item.line,
                                 reason: "--shots \(shots) needs \(shots) demonstrations besides this item, but \(demos.path) "
                                     + "has \(pool.count); lower --shots or give --demos a longer file")
            }
            let drawn = pool.shuffled(with: &generator).prefix(shots)
            return (drawn.map(\.demonstration) + [item.context]).joined(separator: Self.separator)
        }
    }
}
