import Spec
import Studies
import XCTest

/// Which spec keys tell runs apart, with each run's value; the legend labels made from them.
final class ConfigDifferencesTests: XCTestCase {
    private func spec(_ name: String, _ settings: String = "") throws -> ExperimentSpec {
        try ExperimentSpec.parse("name: \(name)\ndata: {corpus: timemachine}\n" + settings, path: "x.yaml")
    }

    func testKeysThatDifferInSpecYAMLOrderWithEachRunsValue() throws {
        let specs = [try spec("a", "model: {hidden: 128}\ntrain: {optimizer: {lr: 0.5}}\n"),
                     try spec("b", "model: {hidden: 128}\ntrain: {optimizer: {lr: 2}}\n"),
                     try spec("c", "model: {hidden: 256}\ntrain: {optimizer: {lr: 0.5}}\n")]
        // `name` differs too, but never counts.
        XCTAssertEqual(ConfigDifferences.between(specs), [
            ConfigDifference(key: "model.hidden", values: ["128", "128", "256"]),
            ConfigDifference(key: "train.optimizer.lr", values: ["0.5", "2.0", "0.5"]),
        ])
        XCTAssertEqual(ConfigDifferences.between([specs[0], specs[0]]), [])
        XCTAssertEqual(ConfigDifferences.between([specs[0]]), [])
    }

    /// An LSTM and two GRU runs: only what differs between the GRU runs tells runs apart; the rest is
    /// the difference between experiments, which their names already show.
    func testWithinExperimentsAndLabels() throws {
        let specs = [try spec("gru", "train: {optimizer: {lr: 0.5}}\n"), try spec("gru", "train: {optimizer: {lr: 2}}\n"),
                     try spec("lstm", "model: {cell: lstm, hidden: 512}\n")]
        XCTAssertEqual(ConfigDifferences.withinExperiments(specs),
                       [ConfigDifference(key: "train.optimizer.lr", values: ["0.5", "2.0", "0.1"])])
        XCTAssertEqual(ConfigDifferences.labels(specs, runNames: ["r1", "r2", "r3"]), ["gru lr=0.5", "gru lr=2.0", "lstm"])
        XCTAssertEqual(ConfigDifferences.labels(Array(specs.prefix(2)), runNames: ["r1", "r2"]), ["lr=0.5", "lr=2.0"])
        // Nothing differs, or the same label twice: the run directories' names.
        XCTAssertEqual(ConfigDifferences.labels([specs[0], specs[0]], runNames: ["r1", "r2"]), ["r1", "r2"])
        XCTAssertEqual(ConfigDifferences.labels([specs[0], specs[0], specs[2]], runNames: ["r1", "r2", "r3"]),
                       ["r1", "r2", "lstm"])
    }

    func testShortNamesKeepEnoughPartsToBeUnique() {
        XCTAssertEqual(ConfigDifferences.shortNames(["train.optimizer.lr", "model.hidden", "x.schedule.lr", "lr"]),
                       ["optimizer.lr", "hidden", "schedule.lr", "lr"])
        XCTAssertEqual(ConfigDifferences.shortNames(["model.dropout"]), ["dropout"])
    }
}
