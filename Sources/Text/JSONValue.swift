import Foundation

/// A parsed JSON document that remembers where each value sits, so that reading a tokenizer file can
/// report `$.vocabulary[3]: expected a string, found a number` instead of a decoder's generic failure.
/// Writing goes through here too, so that files come out with a fixed key order and diff cleanly.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in the order they are written; order is irrelevant when reading.
    case object([(key: String, value: JSONValue)])

    /// What a value is, for messages: "a string", "an object".
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Pretty-printed with two-space indentation; arrays of scalars stay on one line per element.
    func serialized(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .string(let value): return Self.quoted(value)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.serialized(indent: inner) }.joined(separator: ",\n")
                + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + Self.quoted($0.key) + ": " + $0.value.serialized(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// JSON string escaping (RFC 8259): quote, backslash and control characters.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Typed access to a parsed document with errors that carry the file and the JSON path.
struct JSONReader {
    let file: String

    func parse(_ data: Foundation.Data) throws(TextError) -> JSONValue {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(JSONParser.Failure) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure):
            throw .malformed(file: file, path: "$", reason: "not valid JSON (line \(failure.line), column \(failure.column): "
                + "\(failure.reason))")
        }
    }

    func member(_ key: String, of object: JSONValue, at path: String) throws(TextError) -> JSONValue? {
        guard case .object(let members) = object else {
            throw .malformed(file: file, path: path, reason: "expected an object, found \(object.typeName)")
        }
        return members.first { $0.key == key }?.value
    }

    func required(_ key: String, of object: JSONValue, at path: String) throws(TextError) -> JSONValue {
        guard let value = try member(key, of: object, at: path) else {
            throw .malformed(file: file, path: path + "." + key, reason: "missing")
        }
        return value
    }

    func string(_ value: JSONValue, at path: String) throws(TextError) -> String {
        guard case .string(let text) = value else {
            throw .malformed(file: file, path: path, reason: "expected a string, found \(value.typeName)")
        }
        return text
    }

    func bool(_ value: JSONValue, at path: String) throws(TextError) -> Bool {
        guard case .bool(let flag) = value else {
            throw .malformed(file: file, path: path, reason: "expected true or false, found \(value.typeName)")
        }
        return flag
    }

    func integer(_ value: JSONValue, at path: String) throws(TextError) -> Int {
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
            throw .malformed(file: file, path: path, reason: "expected an integer, found \(value.typeName)")
        }
        return Int(number)
    }

    func array(_ value: JSONValue, at path: String) throws(TextError) -> [JSONValue] {
        guard case .array(let items) = value else {
            throw .malformed(file: file, path: path, reason: "expected an array, found \(value.typeName)")
        }
        return items
    }
}
