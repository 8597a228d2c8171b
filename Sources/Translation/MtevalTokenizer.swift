/// sacreBLEU's `13a` tokenizer (mteval-v13a.pl, the WMT standard): unescapes four HTML entities, then
/// splits off punctuation and symbols, periods and commas except between digits, and a dash after a
/// digit, and collapses white space. Each rule is a left-to-right, non-overlapping scan, as Python's
/// `re.sub` applies the regular expressions sacreBLEU uses, over Unicode scalars (Python's code points).
public enum MtevalTokenizer {
    public static func tokenize(_ line: String) -> String {
        var text = line.replacingOccurrences(of: "<skipped>", with: "")
            .replacingOccurrences(of: "-\n", with: "")
            .replacingOccurrences(of: "\n", with: " ")
        if text.contains("&") {
            text = text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        }
        var scalars = Array((" " + text + " ").unicodeScalars)
        scalars = scalars.flatMap { isSymbol($0) ? [" ", $0, " "] : [$0] }                      // ([{-~[-` -&(-+:-@/]) → " \1 "
        scalars = substitutePairs(scalars, first: { !isDigit($0) }, second: isPeriodOrComma) { [$0, " ", $1, " "] }
        scalars = substitutePairs(scalars, first: isPeriodOrComma, second: { !isDigit($0) }) { [" ", $0, " ", $1] }
        scalars = substitutePairs(scalars, first: isDigit, second: { $0 == "-" }) { [$0, " ", $1, " "] }
        return words(in: String(String.UnicodeScalarView(scalars))).joined(separator: " ")
    }

    /// Python's `str.split()`: runs of white space (Unicode's, plus the separators U+001C…U+001F that
    /// Python also counts) separate words; none are empty.
    public static func words(in text: String) -> [String] {
        text.unicodeScalars.split(whereSeparator: isWhitespace).map { String(String.UnicodeScalarView($0)) }
    }

    /// Python's `str.isspace` for one scalar.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// `re.sub('(A)(B)', replacement, text)`: each match consumes both scalars, and scanning goes on
    /// after them.
    private static func substitutePairs(_ scalars: [Unicode.Scalar], first: (Unicode.Scalar) -> Bool,
                                        second: (Unicode.Scalar) -> Bool,
                                        _ replacement: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count + scalars.count / 4)
        var i = 0
        while i < scalars.count {
            if i + 1 < scalars.count, first(scalars[i]), second(scalars[i + 1]) {
                result += replacement(scalars[i], scalars[i + 1])
                i += 2
            } else {
                result.append(scalars[i])
                i += 1
            }
        }
        return result
    }

    /// The class `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation and symbols other than `'`, `,`,
    /// `-`, `.`, and the space itself.
    private static func isSymbol(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: true
        default: false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isPeriodOrComma(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "," }
}
