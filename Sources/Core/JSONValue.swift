/// SeqLab's one JSON value, for every file it reads and writes: metrics events, summary.json,
/// checkpoint metadata and sweep logs (Runs), tokenizer.json (Text), task files (Training).
///
/// Our own type rather than `JSONSerialization`: the output must be byte-stable (a fixed member order,
/// the shortest round-tripping decimal for each Double), integers must stay distinct from doubles when
/// read back (which `NSNumber` does not promise on Linux), and object keys must be kept exactly as
/// written — Swift's `String` compares up to canonical equivalence, so a `[String: …]` would merge a
/// tokenizer's distinct tokens `é` (U+00E9) and `e` + U+0301.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// Non-finite doubles have no JSON spelling; they are written as `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// What a value is, for messages: "a string", "an object".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A number's value, whether it was written as an integer or not; nil for anything else.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// One line: the form of a metrics.jsonl event.
    public var compact: String {
        var out = ""
        write(to: &out, indent: nil, depth: 0)
        return out
    }

    /// Two-space indentation, every member and element on a line of its own: summary.json, tokenizer.json.
    public var pretty: String {
        var out = ""
        write(to: &out, indent: "  ", depth: 0)
        return out
    }

    private func write(to out: inout String, indent: String?, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? "\(value)" : "null"
        case .string(let value): out += doubleQuoted(value)
        case .array(let items):
            writeContainer(items.map { (nil, $0) }, open: "[", close: "]", to: &out, indent: indent, depth: depth)
        case .object(let object):
            writeContainer(object.members.map { (Optional($0.key), $0.value) }, open: "{", close: "}", to: &out,
                           indent: indent, depth: depth)
        }
    }

    private func writeContainer(_ items: [(String?, JSONValue)], open: String, close: String,
                                to out: inout String, indent: String?, depth: Int) {
        out += open
        guard !items.isEmpty else { return out += close }
        let newline = indent.map { "\n" + String(repeating: $0, count: depth + 1) } ?? ""
        for (index, (key, value)) in items.enumerated() {
            if index > 0 { out += "," }
            out += newline
            if let key {
                out += doubleQuoted(key)
                out += indent == nil ? ":" : ": "
            }
            value.write(to: &out, indent: indent, depth: depth + 1)
        }
        out += indent.map { "\n" + String(repeating: $0, count: depth) } ?? ""
        out += close
    }
}

/// A JSON object's members in order, keys compared scalar by scalar (exactly as written). Built from a
/// dictionary (or a dictionary literal), the keys are sorted, so that a file written from one is
/// byte-stable; built from a list (or an array literal of pairs), the order is the list's (a
/// tokenizer.json's fixed layout).
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    /// Members in this order.
    public init(ordered members: [(key: String, value: JSONValue)]) {
        self.members = members
    }

    /// The dictionary's members, keys sorted.
    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// `[("type", "BPE"), ("dropout", nil)]`: members in the literal's order.
    public init(arrayLiteral elements: (key: String, value: JSONValue)...) {
        members = elements
    }

    /// The value of the first member whose key is `key`, scalar for scalar.
    public subscript(key: String) -> JSONValue? {
        members.first { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) }?.value
    }

    /// The members as a dictionary (canonically equivalent keys merge; the last one wins).
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { members.makeIterator() }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy {
            $0.key.unicodeScalars.elementsEqual($1.key.unicodeScalars) && $0.value == $1.value
        }
    }

    public func hash(into hasher: inout Hasher) {
        for (key, value) in members {
            for scalar in key.unicodeScalars { hasher.combine(scalar.value) }
            hasher.combine(value)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
}
