import Core
/// The JSON that a run directory holds: metrics events, summary.json and checkpoint metadata.
/// Our own type rather than `JSONSerialization` because the output must be byte-stable (keys sorted,
/// the shortest round-tripping decimal for each Double) and integers must stay distinct from
/// doubles when read back, which `NSNumber` does not promise on Linux.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// Non-finite doubles have no JSON spelling; they are written as `null`.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// One line, keys sorted: the form of a metrics.jsonl event.
    public var compact: String {
        var out = ""
        write(to: &out, indent: nil, depth: 0)
        return out
    }

    /// Two-space indentation, keys sorted: the form of summary.json.
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
        case .object(let members):
            let sorted = members.sorted { $0.key < $1.key }.map { (Optional($0.key), $0.value) }
            writeContainer(sorted, open: "{", close: "}", to: &out, indent: indent, depth: depth)
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
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// A number's value, whether it was written as an integer or not; nil for anything else.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
