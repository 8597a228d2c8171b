@testable import Spec
import XCTest

final class SuggestionTests: XCTestCase {
    func testEditDistance() {
        let distance = { (a: String, b: String) in
            Suggestion.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
        }
        XCTAssertEqual(distance("", "abc"), 3)
        XCTAssertEqual(distance("hidden", "hidden"), 0)
        XCTAssertEqual(distance("hiden", "hidden"), 1)
        XCTAssertEqual(distance("hdiden", "hidden"), 1, "a transposition is one edit")
        XCTAssertEqual(distance("kitten", "sitting"), 3)
    }

    func testNearestIsRelativeToLength() {
        let keys = ["kind", "cell", "embedding", "hidden", "layers", "lr"]
        XCTAssertEqual(Suggestion.nearest(to: "hiden", in: keys), "hidden")
        XCTAssertEqual(Suggestion.nearest(to: "Embeding", in: keys), "embedding")
        XCTAssertEqual(Suggestion.nearest(to: "l", in: keys), "lr")
        XCTAssertEqual(Suggestion.nearest(to: "embdng", in: keys), "embedding", "long words allow more edits")
        XCTAssertNil(Suggestion.nearest(to: "kd", in: keys), "two edits on a four-letter word is too many")
        XCTAssertNil(Suggestion.nearest(to: "xyz", in: keys), "three edits on a short word is another word")
        XCTAssertNil(Suggestion.nearest(to: "learning_rate", in: keys))
        XCTAssertEqual(Suggestion.nearest(to: "tie-embeddings", in: ["tie_embeddings"]), "tie_embeddings")
    }
}
