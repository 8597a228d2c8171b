import Core
import Engine
import Foundation
import Graph
import NN
import TestSupport
import XCTest

/// Masks, scaled dot-product attention, Bahdanau attention and multi-head attention.
final class AttentionTests: XCTestCase {
    func testCausalMaskIsZeroOnAndBelowTheDiagonal() throws {
        for n in [1, 2, 5] {
            let g = Graph()
            let mask = try g.causalMask(length: n)
            XCTAssertEqual(mask.shape, [n, n])
            let values = try execute(g, [mask], inputs: [:]).read(mask)
            XCTAssertEqual(values, (0..<(n * n)).map { $0 % n <= $0 / n ? 0 : -.infinity }, "length \(n)")
        }
    }

    /// softmax(q·kᵀ/√d + mask)·v for one (2, 3) score matrix, written out.
    func testScaledDotProductAttentionByHand() throws {
        let g = Graph()
        let (q, k, v) = (g.input("q", shape: [2, 2]), g.input("k", shape: [3, 2]), g.input("v", shape: [3, 2]))
        let mask = g.input("mask", shape: [2, 3])
        let y = try scaledDotProductAttention(q, k, v, mask: mask)
        let (qv, kv, vv): ([Float], [Float], [Float]) = ([1, 0, 0.5, -1], [1, 1, 0, 2, -1, 0], [1, 2, 3, 4, 5, 6])
        let maskValues: [Float] = [0, 0, -.infinity, 0, 0, 0]
        let program = try execute(g, [y], inputs: ["q": qv, "k": kv, "v": vv, "mask": maskValues])
        var expected: [Float] = []
        for i in 0..<2 {
            let scores = (0..<3).map { j in
                (qv[2 * i] * kv[2 * j] + qv[2 * i + 1] * kv[2 * j + 1]) / Float(2).squareRoot() + maskValues[3 * i + j]
            }
            let e = scores.map { Foundation.exp($0 - scores.max()!) }
            let w = e.map { $0 / e.reduce(0, +) }
            expected += (0..<2).map { c in (0..<3).reduce(Float(0)) { $0 + w[$1] * vv[2 * $1 + c] } }
        }
        assertClose(try program.read(y), expected, rtol: 1e-5, atol: 1e-6)
    }

    func testAdditiveAttentionShapesWeightsAndPadding() throws {
        let g = Graph()
        let attention = try AdditiveAttention(g, key: "attn", querySize: 3, keySize: 4, attentionSize: 5)
        XCTAssertEqual(registered(g), ["attn.query.weight (5, 3) decay", "attn.key.weight (5, 4) decay",
                                       "attn.score.weight (1, 5) decay"])
        let keys = g.input("keys", shape: [2, 3, 4])
        let (context, weights) = try attention(g.input("query", shape: [2, 3]), keys: keys,
                                               padding: g.input("padding", shape: [2, 3]))
        XCTAssertEqual(context.shape, [2, 4])
        XCTAssertEqual(weights.shape, [2, 3])
        // The second sequence's last key is padding: it gets weight 0, and its value cannot leak.
        var inputs = ["query": fixedValues(6), "keys": fixedValues(24, salt: 3), "padding": [1, 1, 1, 1, 1, 0]]
        let program = try execute(g, [context, weights], inputs: inputs)
        let (w, c) = (try program.read(weights), try program.read(context))
        XCTAssertEqual(w[5], 0)
        assertClose([w[0..<3].reduce(0, +), w[3..<6].reduce(0, +)], [1, 1], rtol: 1e-6)
        let keyValues = inputs["keys"]!
        var expected = [Float](repeating: 0, count: 8)
        for b in 0..<2 { for h in 0..<4 { for s in 0..<3 {
            let weight: Float = w[b * 3 + s], key: Float = keyValues[(b * 3 + s) * 4 + h]
            expected[b * 4 + h] += weight * key
        } } }
        assertClose(c, expected, rtol: 1e-5, atol: 1e-6, "context = Σ weights · keys")
        for h in 0..<4 { inputs["keys"]![20 + h] = 100 }
        try program.setInput("keys", inputs["keys"]!)
        program.run()
        XCTAssertEqual(try program.read(context), c, "a padded key changes nothing")
    }

    func testAdditiveAttentionGradients() {
        gradCheck({ g in
            let attention = try AdditiveAttention(g, key: "attn", querySize: 3, keySize: 4, attentionSize: 5)
            let keys = g.input("keys", shape: [2, 3, 4])
            let projected = try attention.projectKeys(keys)
            let (context, weights) = try attention(g.input("query", shape: [2, 3]), keys: keys, projectedKeys: projected,
                                                   padding: g.input("padding", shape: [2, 3]))
            return try weightedSum(context) + weightedSum(weights, name: "weight_weights")
        }, inputs: ["query": fixedValues(6), "keys": fixedValues(24, salt: 3), "padding": [1, 1, 1, 1, 0, 1],
                    "weights": fixedValues(8, salt: 1), "weight_weights": fixedValues(6, salt: 2)])
    }

    func testMultiHeadAttentionKeysAndShapes() throws {
        let g = Graph()
        let attention = try MultiHeadAttention(g, key: "attn", width: 8, heads: 2, bias: false)
        XCTAssertEqual(registered(g), ["query", "key", "value", "out"].map { "attn.\($0).weight (8, 8) decay" })
        let y = try attention(g.input("x", shape: [2, 3, 8]), memory: g.input("memory", shape: [2, 5, 8]),
                              padding: g.input("padding", shape: [2, 5]))
        XCTAssertEqual(y.shape, [2, 3, 8])
        XCTAssertThrowsError(try MultiHeadAttention(g, key: "odd", width: 8, heads: 3))
    }

    func testCausalSelfAttentionDoesNotLookAhead() throws {
        let (b, t, c) = (2, 4, 8)
        let g = Graph()
        let attention = try MultiHeadAttention(g, key: "attn", width: c, heads: 2)
        let y = try attention(g.input("x", shape: [b, t, c]), mask: g.causalMask(length: t))
        var x = fixedValues(b * t * c, salt: 1)
        let program = try execute(g, [y], inputs: ["x": x])
        let before = try program.read(y)
        for batch in 0..<b { for channel in 0..<c { x[(batch * t + 2) * c + channel] += 1 } }    // change step 2
        try program.setInput("x", x)
        program.run()
        let after = try program.read(y)
        for batch in 0..<b {
            for step in 0..<t {
                let row = ((batch * t + step) * c)..<((batch * t + step + 1) * c)
                if step < 2 {
                    assertClose(Array(after[row]), Array(before[row]), rtol: 0, atol: 1e-6, "b \(batch) t \(step)")
                } else {
                    XCTAssertNotEqual(Array(after[row]), Array(before[row]), "b \(batch) t \(step) sees step 2")
                }
            }
        }
    }

    func testPaddedKeysAreIgnored() throws {
        let (b, t, c) = (2, 4, 8)
        let g = Graph()
        let attention = try MultiHeadAttention(g, key: "attn", width: c, heads: 2)
        let y = try attention(g.input("x", shape: [b, t, c]), padding: g.input("padding", shape: [b, t]))
        var x = fixedValues(b * t * c, salt: 2)
        let program = try execute(g, [y], inputs: ["x": x, "padding": [1, 1, 1, 1, 1, 1, 0, 0]])
        let before = try program.read(y)
        for channel in 0..<c { x[(1 * t + 3) * c + channel] = 50 }     // a padded position of sequence 1
        try program.setInput("x", x)
        program.run()
        let after = try program.read(y)
        let unchanged = Array(0..<(b * t)).filter { $0 != 1 * t + 3 }    // all but that position's own query
        for position in unchanged {
            let row = (position * c)..<((position + 1) * c)
            assertClose(Array(after[row]), Array(before[row]), rtol: 0, atol: 1e-6, "position \(position)")
        }
    }

    func testSelfAttentionGradientsWithCausalMaskAndPadding() {
        gradCheck({ g in
            let attention = try MultiHeadAttention(g, key: "attn", width: 4, heads: 2)
            let y = try attention(g.input("x", shape: [2, 3, 4]), mask: g.causalMask(length: 3),
                                  padding: g.input("padding", shape: [2, 3]))
            return try weightedSum(y)
        }, inputs: ["x": fixedValues(24, salt: 1), "padding": [1, 1, 1, 1, 0, 1], "weights": fixedValues(24)])
    }

    func testCrossAttentionGradients() {
        gradCheck({ g in
            let attention = try MultiHeadAttention(g, key: "cross", width: 4, heads: 2)
            let y = try attention(g.input("x", shape: [2, 2, 4]), memory: g.input("memory", shape: [2, 3, 4]),
                                  padding: g.input("padding", shape: [2, 3]))
            return try weightedSum(y)
        }, inputs: ["x": fixedValues(16, salt: 1), "memory": fixedValues(24, salt: 5), "padding": [1, 1, 0, 1, 1, 1],
                    "weights": fixedValues(16)])
    }
}
