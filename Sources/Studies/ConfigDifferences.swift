import Spec

/// One spec key whose value is not the same in every compared run.
public struct ConfigDifference: Equatable, Sendable {
    /// Dotted, as `--set` takes it: `train.optimizer.lr`.
    public let key: String
    /// Each run's value as its spec.yaml writes it, in the order of the runs; "–" where a spec lacks
    /// the key.
    public let values: [String]

    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }
}

/// What tells compared runs apart, for `runner table`'s columns and `runner plot`'s legend: the keys
/// of their resolved specs whose values differ. `name` never counts: it is how runs of different
/// experiments are told apart, and two runs of one experiment share it.
public enum ConfigDifferences {
    /// The keys other than `name` whose values are not the same in all `specs`, in spec.yaml's order.
    public static func between(_ specs: [ExperimentSpec]) -> [ConfigDifference] {
        differences(specs.map(settings))
    }

    /// The keys that differ between runs of the same experiment (the same `name`), with every run's
    /// value. Runs of different experiments are told apart by their names already; comparing their
    /// whole specs would list nearly every key, as two architectures share few values.
    public static func withinExperiments(_ specs: [ExperimentSpec]) -> [ConfigDifference] {
        let settings = specs.map(settings)
        let keys = Set(groups(specs).flatMap { group in differences(group.map { settings[$0] }).map(\.key) })
        return differences(settings).filter { keys.contains($0.key) }
    }

    /// One legend label per run: the experiment's name when the runs come from more than one, then
    /// `key=value` for each key that differs between the runs of its experiment, keys shortened to
    /// their last part where that is unambiguous (`lr=0.3 hidden=128`). A run left without a label,
    /// or with the same label as another run, is named by its run directory instead.
    public static func labels(_ specs: [ExperimentSpec], runNames: [String]) -> [String] {
        let settings = specs.map(settings)
        var keysOfRun = Array(repeating: [String](), count: specs.count)
        for group in groups(specs) {
            let keys = differences(group.map { settings[$0] }).map(\.key)
            for run in group { keysOfRun[run] = keys }
        }
        let allKeys = Array(Set(keysOfRun.joined())).sorted()
        let short = Dictionary(uniqueKeysWithValues: zip(allKeys, shortNames(allKeys)))
        let showsNames = Set(specs.map(\.name)).count > 1
        let labels = specs.indices.map { run in
            ((showsNames ? [specs[run].name] : []) + keysOfRun[run].map { "\(short[$0]!)=\(settings[run].value($0))" })
                .joined(separator: " ")
        }
        return labels.indices.map { run in
            labels[run].isEmpty || labels.filter({ $0 == labels[run] }).count > 1 ? runNames[run] : labels[run]
        }
    }

    /// Each dotted key cut to its shortest ending that no other key shares: `train.optimizer.lr` is
    /// `lr` unless another key also ends in `lr`.
    public static func shortNames(_ keys: [String]) -> [String] {
        let parts = keys.map { $0.split(separator: ".").map(String.init) }
        return parts.map { own in
            let length = (1...own.count).first { length in
                let ending = own.suffix(length)
                return parts.filter { $0.count >= length && $0.suffix(length) == ending }.count == 1
            } ?? own.count
            return own.suffix(length).joined(separator: ".")
        }
    }

    /// A spec's keys in order and their values.
    private struct Settings {
        let keys: [String]
        let values: [String: String]
        func value(_ key: String) -> String { values[key] ?? "–" }
    }

    private static func settings(_ spec: ExperimentSpec) -> Settings {
        let pairs = spec.flattened().filter { $0.key != "name" }
        return Settings(keys: pairs.map(\.key), values: Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
    }

    private static func differences(_ settings: [Settings]) -> [ConfigDifference] {
        var seen = Set<String>()
        let keys = settings.flatMap(\.keys).filter { seen.insert($0).inserted }
        return keys.compactMap { key in
            let values = settings.map { $0.value(key) }
            return Set(values).count > 1 ? ConfigDifference(key: key, values: values) : nil
        }
    }

    /// The indices of runs sharing an experiment name, groups in order of first appearance.
    private static func groups(_ specs: [ExperimentSpec]) -> [[Int]] {
        var order: [String] = [], members: [String: [Int]] = [:]
        for (index, spec) in specs.enumerated() {
            if members[spec.name] == nil { order.append(spec.name) }
            members[spec.name, default: []].append(index)
        }
        return order.map { members[$0]! }
    }
}
