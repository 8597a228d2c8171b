import Core

public enum EngineError: Error, Equatable, CustomStringConvertible {
    case unknownInput(String, known: [String])
    case inputSize(name: String, expected: Int, got: Int)
    case notAnOutput(node: Int)
    case unknownParameter(String)
    case parameterShape(key: String, expected: Shape, got: Shape)
    case valueCount(key: String, expected: Int, got: Int)
    case duplicateGradient(String)
    case indexOutOfRange(input: String, position: Int, value: Float, bound: Int)
    /// An arena larger than the machine's memory: a spec asking for too big a batch or model.
    case tooLarge(what: String, bytes: Int, available: Int)
    case gradientShape(key: String, expected: Shape, got: Shape)
    case duplicateInput(String)

    public var description: String {
        switch self {
        case .unknownInput(let name, let known):
            "no input named '\(name)' (inputs: \(known.sorted().joined(separator: ", ")))"
        case .inputSize(let name, let expected, let got):
            "input '\(name)' takes \(expected) values, got \(got)"
        case .notAnOutput(let node):
            "node %\(node) is not an output of this program; list it in `outputs:` when compiling"
        case .unknownParameter(let key):
            "no parameter with key '\(key)'"
        case .parameterShape(let key, let expected, let got):
            "parameter '\(key)' has shape \(expected) in the arena but \(got) in the graph"
        case .valueCount(let key, let expected, let got):
            "parameter '\(key)' holds \(expected) values, got \(got)"
        case .duplicateGradient(let key):
            "parameter '\(key)' is given two gradients; list each parameter once"
        case .tooLarge(let what, let bytes, let available):
            String(format: "the %@ need %.1f GiB but the machine has %.1f GiB; lower the batch (train.batch_size or "
                   + "train.batch_tokens), the lengths (train.seq_len, or data.max_length for sentence pairs) or the "
                   + "model size", what, Double(bytes) / 1_073_741_824, Double(available) / 1_073_741_824)
        case .indexOutOfRange(let input, let position, let value, let bound):
            "input '\(input)' holds \(value) at position \(position); ids must be integers in 0..<\(bound) "
                + "(is the vocabulary larger than the model's?)"
        case .gradientShape(let key, let expected, let got):
            "the gradient given for parameter '\(key)' has shape \(got), the parameter \(expected)"
        case .duplicateInput(let name):
            "two inputs are named '\(name)'; build one and use it everywhere"
        }
    }

    /// 64 for an arena the spec made too large (a usage error), 1 otherwise (a program misused).
    public var exitCode: Int32 {
        if case .tooLarge = self { return 64 }
        return 1
    }
}
