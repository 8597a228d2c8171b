import Core
import Optim
import XCTest

final class DecayRuleTests: XCTestCase {
    private var layout: ParameterLayout {
        var layout = ParameterLayout()
        layout.append(key: "embed.weight", shape: [28, 16], decay: false)
        layout.append(key: "blocks.0.attn.w_qkv", shape: [16, 48], decay: true)
        layout.append(key: "blocks.0.attn.bias", shape: [48], decay: true)
        layout.append(key: "blocks.0.norm.gain", shape: [16], decay: false)
        layout.append(key: "head.weight", shape: [16, 28], decay: false)
        return layout
    }

    func testRulesRewriteEveryFlag() {
        let cases: [(DecayRule, [Bool])] = [
            (.all, [true, true, true, true, true]),
            (.none, [false, false, false, false, false]),
            (.matricesOnly, [true, true, false, false, true]),
            (.exempt(["bias", "norm", "embed"]), [false, true, false, false, true]),
            (.exempt([]), [true, true, true, true, true]),
        ]
        for (rule, expected) in cases {
            var layout = self.layout
            layout.setDecay(rule)
            XCTAssertEqual(layout.slots.map(\.decay), expected, "\(rule)")
        }
    }

    /// The rule reads only key and shape, so it never moves a slot.
    func testRulesKeepOffsets() {
        var layout = self.layout
        layout.setDecay(.matricesOnly)
        XCTAssertEqual(layout.slots.map(\.offset), self.layout.slots.map(\.offset))
        XCTAssertEqual(layout.count, self.layout.count)
    }
}
