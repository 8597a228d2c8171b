import Core
import Foundation

/// Typed access to a parsed document with errors that carry the file and the JSON path.
struct JSONReader {
    let file: String

    func parse(_ data: Foundation.Data) throws(TextError) -> JSONValue {
        do {
            return try JSONValue(parsing: [UInt8](data))
        } catch {
            throw .malformed(file: file, path: "$", reason: "not valid JSON (line \(error.line), column \(error.column): "
                + "\(error.reason))")
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
        if case .int(let integer) = value { return integer }
        guard case .double(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
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
