/// `text` in double quotes with the escapes JSON and YAML share: `\"`, `\\`, `\n`, `\t`, `\r`, and
/// `\uXXXX` for other control characters and for any scalar `alsoEscape` names (YAML escapes a few
/// more than JSON). Both Runs' JSON and Spec's resolved YAML are written through it.
public func doubleQuoted(_ text: String, alsoEscape: (Unicode.Scalar) -> Bool = { _ in false }) -> String {
    var quoted = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        case "\n": quoted += "\\n"
        case "\t": quoted += "\\t"
        case "\r": quoted += "\\r"
        case _ where scalar.value < 0x20 || alsoEscape(scalar):
            let hex = String(scalar.value, radix: 16)
            quoted += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        default: quoted.unicodeScalars.append(scalar)
        }
    }
    return quoted + "\""
}
