@testable import Text
import XCTest

/// The character classes the Hugging Face pipelines cut and clean text by, on the characters where
/// Unicode's categories and the regex engine disagree. Expected values are Hugging Face `tokenizers`
/// 0.23.3's: `Whitespace().pre_tokenize_str(text)` and `BertNormalizer(clean_text=True,
/// handle_chinese_chars=False, strip_accents=False, lowercase=False).normalize_str(text)`.
final class CharacterClassTests: XCTestCase {
    /// `\w+|[^\w\s]+` with Oniguruma's `\w`: alphabetic characters (Ⓐ, Ⅷ), marks, decimal digits of
    /// any script, connector punctuation and the zero-width joiners are word characters; other numbers
    /// (², ½, ①) are not.
    func testWhitespacePreTokenizerWordsAsHuggingFace() {
        let cases: [(String, [String])] = [
            ("m\u{B2} \u{BD}\u{2460} zero\u{200D}width \u{24B6}b", ["m", "\u{B2}", "\u{BD}\u{2460}", "zero\u{200D}width", "\u{24B6}b"]),
            ("x\u{200C}y \u{2167} caf\u{E9} e\u{301} a_b \u{203F}c \u{FF3F}d",
             ["x\u{200C}y", "\u{2167}", "caf\u{E9}", "e\u{301}", "a_b", "\u{203F}c", "\u{FF3F}d"]),
            ("\u{663}\u{664} \u{B3}x 1\u{B2} \u{A0}nb\u{A0}sp", ["\u{663}\u{664}", "\u{B3}", "x", "1", "\u{B2}", "nb", "sp"]),
        ]
        for (text, words) in cases {
            let cut = PreTokenizer.whitespace.words(Array(text.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }
            XCTAssertEqual(cut, words, text.debugDescription)
        }
    }

    /// Control characters go before whitespace becomes a space (VT, FF and NEL join their neighbours);
    /// format and private-use characters go too; unassigned code points stay.
    func testBertCleaningAsHuggingFace() {
        let cases: [(String, String)] = [
            ("a\u{B}b", "ab"), ("a\u{C}b", "ab"), ("a\u{85}b", "ab"), ("the\u{378}re", "the\u{378}re"),
            ("a\tb\nc\rd", "a b c d"), ("x\u{200B}y\u{AD}z", "xyz"), ("p\u{E000}q", "pq"), ("s\u{0}t\u{FFFD}u", "stu"),
            ("a\u{3000}b", "a b"),
        ]
        let normalizer = Normalizer.bert(cleanText: true, chineseCharacters: false, stripAccents: false, lowercase: false)
        for (text, cleaned) in cases {
            XCTAssertEqual(String(String.UnicodeScalarView(normalizer.apply(Array(text.unicodeScalars)))), cleaned,
                           text.debugDescription)
        }
    }
}
