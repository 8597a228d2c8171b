import Core
import Graph
@testable import Planner
import Spec
import XCTest

/// The classifier's plan: the pooling each encoder defaults to, and a frozen encoder that gets no
/// gradient and no rate while the head trains at its own.
final class ClassificationPlanTests: XCTestCase {
    private func plan(_ model: String, train: String = "") throws -> ClassificationPlan {
        let spec = try ExperimentSpec.parse("""
            task: classification
            data: {corpus: sst2}
            model: \(model)
            train: {batch_size: 4, optimizer: {kind: adam, lr: 0.001}\(train)}
            """, path: "test.yaml")
        return try ClassificationPlan(spec, vocabularySize: 10, classes: 3, shapes: [.init(batchSize: 4, length: 5)],
                                      evaluationShapes: [.init(batchSize: 2, length: 7)])
    }

    func testEachEncoderPoolsAsItsPaperByDefault() throws {
        XCTAssertEqual(try plan("{kind: classifier, encoder: bilstm}").config.pool, .last)
        XCTAssertEqual(try plan("{kind: classifier, encoder: cnn}").config.pool, .max)
        XCTAssertEqual(try plan("{kind: classifier, encoder: transformer, width: 8, heads: 2}").config.pool, .cls)
        XCTAssertThrowsError(try plan("{kind: classifier, encoder: transformer, width: 8, heads: 2, max_positions: 6}"),
                             "the evaluation batch needs 7 positions")
    }

    func testFrozenEncoderTrainsTheHeadAlone() throws {
        let model = "{kind: classifier, encoder: bilstm, embedding: 4, hidden: 3}"
        let frozen = try plan(model, train: ", freeze_encoder: true, head_lr: 0.01")
        let graph = frozen.train[0].graph
        let trained = Set(frozen.train[0].gradients.map { gradient in
            graph.parameters.first { $0.node == gradient.parameter.id }?.key ?? "?"
        })
        XCTAssertEqual(trained, ["head.weight", "head.bias"])
        let all = try plan(model)
        XCTAssertEqual(all.train[0].gradients.count, graph.parameters.filter(\.trainable).count)
        let slot = { (key: String) in ParameterSlot(key: key, shape: [1], offset: 0, decay: false) }
        XCTAssertEqual(frozen.rateScale(of: slot("head.weight")), 10)
        XCTAssertEqual(frozen.rateScale(of: slot("lstm.layers.0.w_ih")), 0)
        XCTAssertEqual(all.rateScale(of: slot("head.weight")), 1)
        XCTAssertEqual(all.rateScale(of: slot("embedding.weight")), 1)
    }

    /// ELMo's features: the biLM's embedding and LSTM stacks get no gradient and no rate; the mix, the
    /// biLSTM over it and the head train.
    func testELMoFeaturesKeepTheBiLMFixed() throws {
        let spec = try ExperimentSpec.parse("""
            task: classification
            data: {corpus: sst2}
            init_from: runs/elmo
            model: {kind: classifier, encoder: elmo, embedding: 4, projection: 4, elmo_hidden: 6, elmo_layers: 2, hidden: 3}
            train: {batch_size: 4, optimizer: {kind: adam, lr: 0.001}}
            """, path: "test.yaml")
        let elmo = try ClassificationPlan(spec, vocabularySize: 10, classes: 2, shapes: [.init(batchSize: 4, length: 5)],
                                          evaluationShapes: [])
        let graph = elmo.train[0].graph
        let trained = Set(elmo.train[0].gradients.map { gradient in
            graph.parameters.first { $0.node == gradient.parameter.id }?.key ?? "?"
        })
        XCTAssertEqual(Set(trained.filter { !$0.hasPrefix("lstm.") }), ["mix.scalars", "mix.gamma", "head.weight", "head.bias"])
        XCTAssertEqual(trained.filter { $0.hasPrefix("lstm.") }.count, 8)
        XCTAssertTrue(graph.parameters.contains { $0.key == "backward.layers.1.w_hr" })
        let slot = { (key: String) in ParameterSlot(key: key, shape: [1], offset: 0, decay: false) }
        XCTAssertEqual(elmo.rateScale(of: slot("forward.layers.0.w_ih")), 0)
        XCTAssertEqual(elmo.rateScale(of: slot("embedding.weight")), 0)
        XCTAssertEqual(elmo.rateScale(of: slot("mix.scalars")), 1)
        XCTAssertEqual(elmo.rateScale(of: slot("lstm.layers.0.w_ih")), 1)
    }
}
