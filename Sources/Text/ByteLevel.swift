/// GPT-2's byte-level alphabet and pre-tokenization, as Hugging Face's `ByteLevel` pre-tokenizer and
/// decoder implement them.
///
/// Every byte gets a printable stand-in character, so that a BPE vocabulary of 256 base tokens covers
/// any UTF-8 input and no token is ever unknown: the printable ASCII and Latin-1 bytes stand for
/// themselves, the other 68 (control characters, space, DEL, NBSP, soft hyphen) map to U+0100 onwards
/// in byte order — a space becomes `Ġ`, a newline `Ċ`.
enum ByteLevel {
    /// The stand-in character of each byte.
    static let characters: [Unicode.Scalar] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for byte in printable { table[byte] = Unicode.Scalar(UInt32(byte))! }
        var next: UInt32 = 256
        for byte in 0..<256 where !printable.contains(byte) {
            table[byte] = Unicode.Scalar(next)!
            next += 1
        }
        return table
    }()

    /// The byte each stand-in character stands for.
    static let bytes: [Unicode.Scalar: UInt8] = {
        var table: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in characters.enumerated() { table[scalar] = UInt8(byte) }
        return table
    }()

    /// The stand-in characters of the UTF-8 bytes of `scalars`: what the byte-level BPE model sees.
    static func mapped(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.value < 0x80 {
                out.append(characters[Int(scalar.value)])
            } else {
                for byte in UTF8.encode(scalar)! { out.append(characters[Int(byte)]) }
            }
        }
        return out
    }

    /// Decodes the tokens of a byte-level vocabulary. A token with a character outside the alphabet
    /// (an added token such as `<|endoftext|>` is usually inside it, but need not be) contributes its own
    /// UTF-8 bytes, as the reference decoder does; invalid UTF-8 becomes U+FFFD.
    static func decode(_ tokens: [String]) -> String {
        var buffer: [UInt8] = []
        for token in tokens {
            let start = buffer.count
            for scalar in token.unicodeScalars {
                guard let byte = bytes[scalar] else {
                    buffer.removeSubrange(start...)
                    buffer.append(contentsOf: token.utf8)
                    break
                }
                buffer.append(byte)
            }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    // MARK: - The GPT-2 split

    /// The character classes of the GPT-2 pattern
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    private enum Class { case letter, number, space, other }

    /// `\s` as Oniguruma (the reference's regex engine) reads it: TAB…CR, NEL and the Unicode separators.
    private static func classify(_ scalar: Unicode.Scalar) -> Class {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .space
            default: return .other
            }
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return .space
        default: return value == 0x85 ? .space : .other
        }
    }

    /// The pieces the GPT-2 pattern matches in `text`, in order; together they cover all of it. Written
    /// out by hand instead of run through a regex engine: each alternative is a run of one class, so
    /// one pass decides every match, and the alternatives' order is what picks among them.
    static func gpt2Pieces(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        let classes = text.map(classify)
        let count = text.count
        var pieces: [Range<Int>] = []
        var start = 0
        while start < count {
            if let length = contractionLength(text, at: start) {
                pieces.append(start..<start + length)
                start += length
                continue
            }
            // ` ?\p{L}+`, ` ?\p{N}+` and ` ?[^\s\p{L}\p{N}]+`: an optional ASCII space, then a run of one class.
            let leadingSpace = text[start] == " " && start + 1 < count && classes[start + 1] != .space
            let runStart = leadingSpace ? start + 1 : start
            let runClass = classes[runStart]
            var end = runStart + 1
            while end < count && classes[end] == runClass { end += 1 }
            if runClass == .space {
                // `\s+(?!\S)` leaves the last space of a run for the word after it; `\s+` takes a lone one.
                if end < count && end - start > 1 { end -= 1 }
            }
            pieces.append(start..<end)
            start = end
        }
        return pieces
    }

    /// The length of `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll` or `'d` at `index`, if one starts there.
    private static func contractionLength(_ text: [Unicode.Scalar], at index: Int) -> Int? {
        guard text[index] == "'", index + 1 < text.count else { return nil }
        switch text[index + 1] {
        case "s", "t", "m", "d": return 2
        case "r", "v": return index + 2 < text.count && text[index + 2] == "e" ? 3 : nil
        case "l": return index + 2 < text.count && text[index + 2] == "l" ? 3 : nil
        default: return nil
        }
    }
}
