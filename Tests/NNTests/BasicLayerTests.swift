import Core
import Engine
import Graph
import NN
import TestSupport
import XCTest

/// Linear, Embedding and Dropout: keys, shapes, forward values and gradients.
final class BasicLayerTests: XCTestCase {
    func testLinearKeysShapesAndPyTorchInitialisation() throws {
        let g = Graph()
        let linear = try Linear(g, key: "head", inputSize: 4, outputSize: 5)
        let y = try linear(g.input("x", shape: [2, 3, 4]))
        XCTAssertEqual(y.shape, [2, 3, 5])
        XCTAssertEqual(registered(g), ["head.weight (5, 4) decay", "head.bias (5,)"])
        XCTAssertEqual(try execute(g, [y], inputs: [:]).arena.value("head.weight").count, 20)

        // U(±1/√16) for weight and bias: within the bound, and spread over it (E|w| = 1/8).
        let wide = Graph()
        let layer = try Linear(wide, key: "fc", inputSize: 16, outputSize: 64)
        let arena = try execute(wide, [try layer(wide.input("x", shape: [1, 16]))], inputs: [:]).arena
        for key in ["fc.weight", "fc.bias"] {
            let magnitudes = try arena.value(key).map { Swift.abs($0) }
            XCTAssertLessThanOrEqual(magnitudes.max()!, 0.25, key)
            XCTAssertEqual(magnitudes.reduce(0, +) / Float(magnitudes.count), 0.125, accuracy: key == "fc.bias" ? 0.03 : 0.01, key)
        }
        let bare = Graph()
        _ = try Linear(bare, key: "", inputSize: 4, outputSize: 5, bias: false)
        XCTAssertEqual(registered(bare), ["weight (5, 4) decay"], "an empty prefix gives bare names")
    }

    func testLinearComputesXWTransposedPlusBias() throws {
        let g = Graph()
        let linear = try Linear(g, key: "fc", inputSize: 3, outputSize: 2)
        let y = try linear(g.input("x", shape: [2, 3]))
        let program = try Engine.compile(g, outputs: [y])
        try program.arena.setValue("fc.weight", [1, 2, 3, -1, 0, 1])
        try program.arena.setValue("fc.bias", [0.5, -0.5])
        try program.setInput("x", [1, 1, 1, 2, 0, -1])
        program.run()
        assertClose(try program.read(y), [6.5, -0.5, -0.5, -3.5])
    }

    func testLinearRejectsAWrongInputWidth() throws {
        let g = Graph()
        let linear = try Linear(g, key: "fc", inputSize: 4, outputSize: 2)
        XCTAssertThrowsError(try linear(g.input("x", shape: [2, 6])))
    }

    func testLinearGradients() {
        gradCheck({ g in
            let linear = try Linear(g, key: "fc", inputSize: 4, outputSize: 3)
            return try weightedSum(linear(g.input("x", shape: [2, 3, 4])))
        }, inputs: ["x": fixedValues(24, salt: 5), "weights": fixedValues(18)])
    }

    func testEmbeddingLooksUpRowsAndGetsScatteredGradients() throws {
        let g = Graph()
        let embedding = try Embedding(g, key: "wte", count: 5, dimension: 3)
        let y = try embedding(g.input("ids", shape: [2, 2], dtype: .int32))
        XCTAssertEqual(y.shape, [2, 2, 3])
        XCTAssertEqual(registered(g), ["wte.weight (5, 3)"], "embeddings do not decay")
        let program = try execute(g, [y], inputs: ["ids": [4, 0, 4, 2]])
        let table = try program.arena.value("wte.weight")
        XCTAssertEqual(try program.read(y), [4, 0, 4, 2].flatMap { table[($0 * 3)..<($0 * 3 + 3)] })

        // Id 1 appears twice and id 3 never: accumulation and zero rows both checked.
        gradCheck({ g in
            let embedding = try Embedding(g, key: "wte", count: 5, dimension: 3)
            return try weightedSum(embedding(g.input("ids", shape: [2, 3], dtype: .int32)))
        }, inputs: ["ids": [1, 0, 4, 1, 2, 0], "weights": fixedValues(18)])
    }

    func testDropoutKeepsOneMinusPAndScalesSurvivors() throws {
        let count = 20_000, p: Float = 0.25
        let g = Graph(training: true)
        let x = g.input("x", shape: [count])
        let y = try Dropout(p)(x)
        let program = try execute(g, [y], inputs: ["x": [Float](repeating: 1, count: count)], seed: 7)
        let first = try program.read(y)
        let kept = first.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / Double(count), 0.75, accuracy: 0.015, "3σ ≈ 0.009")
        XCTAssertTrue(kept.allSatisfy { Swift.abs($0 - 1 / (1 - p)) < 1e-6 }, "survivors scaled by 1/(1−p)")
        XCTAssertEqual(Double(first.reduce(0, +)) / Double(count), 1, accuracy: 0.02, "the expectation is kept")
        program.run()
        XCTAssertNotEqual(try program.read(y), first, "every run draws a new mask")

        let evaluation = Graph(training: false)
        let input = evaluation.input("x", shape: [count])
        XCTAssertEqual(try Dropout(p)(input).id, input.id, "evaluation graphs pass x through")
        XCTAssertEqual(try Dropout(0)(x).id, x.id)
    }
}
