import Core
import Runs
import Spec

/// A SeqLab `gpt` in the names of Hugging Face's `GPT2LMHeadModel`, both ways: `runner export` writes
/// a config.json and model.safetensors that transformers loads, and `init_from` reads such a pair
/// (saved by transformers, or published) into a run.
///
/// The two models compute the same function; they differ in names and in orientation. transformers'
/// GPT-2 is built of `Conv1D` layers, whose weight is (in, out) where a Linear's is (out, in), and it
/// fuses query, key and value into one `c_attn` (C, 3C) whose columns are q, then k, then v.
///
///     SeqLab                            GPT2LMHeadModel
///     wte.weight, wpe.weight            transformer.wte.weight, transformer.wpe.weight
///     blocks.l.ln1, blocks.l.ln2        transformer.h.l.ln_1, transformer.h.l.ln_2
///     blocks.l.attn.{query,key,value}   transformer.h.l.attn.c_attn      (transposed, fused)
///     blocks.l.attn.out                 transformer.h.l.attn.c_proj      (transposed)
///     blocks.l.mlp.fc, blocks.l.mlp.proj transformer.h.l.mlp.c_fc, .c_proj (transposed)
///     ln_f                              transformer.ln_f
///     lm_head.weight (untied only)      lm_head.weight (tie_word_embeddings false)
enum HuggingFaceGPT2 {
    static let architecture = "GPT2LMHeadModel"

    /// Why the spec's model has no GPT-2 equivalent, or nil when it has one. GPT-2 is a pre-LN stack
    /// with biases everywhere; its activations are those of transformers' `ACT2FN` below.
    static func unmappable(_ model: ModelSpec) -> String? {
        if model.kind != .gpt { return "model.kind is \(model.kind.rawValue), not gpt" }
        if model.norm != .pre { return "model.norm is post; GPT-2 normalises before each sublayer (pre)" }
        if !model.bias { return "model.bias is false; GPT-2 has a bias in every layer" }
        return nil
    }

    /// transformers' names of SeqLab's activations. `gelu_new` and `gelu_pytorch_tanh` are both the tanh
    /// approximation; `gelu` is the exact x·Φ(x).
    private static let activationNames: [(ModelSpec.Activation, [String])] = [
        (.geluTanh, ["gelu_new", "gelu_pytorch_tanh"]), (.gelu, ["gelu"]), (.relu, ["relu"]), (.tanh, ["tanh"]),
    ]

    /// The config.json transformers reads for the spec's model with this vocabulary and block size.
    static func config(_ model: ModelSpec, vocabularySize: Int, blockSize: Int) -> JSONValue {
        let activation = activationNames.first { $0.0 == model.activation }?.1.first ?? "gelu"
        return .object([
            ("architectures", [.string(architecture)]), ("model_type", "gpt2"),
            ("vocab_size", .int(vocabularySize)), ("n_positions", .int(blockSize)), ("n_embd", .int(model.width)),
            ("n_layer", .int(model.layers)), ("n_head", .int(model.heads)), ("n_inner", .null),
            ("activation_function", .string(activation)), ("layer_norm_epsilon", .double(1e-5)),
            ("resid_pdrop", .double(model.dropout)), ("embd_pdrop", .double(model.dropout)),
            ("attn_pdrop", .double(model.dropout)), ("scale_attn_weights", true),
            ("scale_attn_by_inverse_layer_idx", false), ("tie_word_embeddings", .bool(model.tieEmbeddings)),
            // GPT-2's own 50256 would name a token this vocabulary may not have.
            ("bos_token_id", .null), ("eos_token_id", .null), ("dtype", "float32"),
        ])
    }

    /// The tensors outside the blocks, SeqLab's key and GPT-2's (under `transformer.`): the same names.
    private static let modelTensors = ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"]

    /// A block's tensors that map one to one (all but the fused c_attn): SeqLab's key under
    /// `blocks.<l>.`, GPT-2's under `h.<l>.`, and whether Conv1D's (in, out) transposes it.
    private static let blockTensors: [(ours: String, theirs: String, transposed: Bool)] = [
        ("ln1.weight", "ln_1.weight", false), ("ln1.bias", "ln_1.bias", false),
        ("ln2.weight", "ln_2.weight", false), ("ln2.bias", "ln_2.bias", false),
        ("attn.out.weight", "attn.c_proj.weight", true), ("attn.out.bias", "attn.c_proj.bias", false),
        ("mlp.fc.weight", "mlp.c_fc.weight", true), ("mlp.fc.bias", "mlp.c_fc.bias", false),
        ("mlp.proj.weight", "mlp.c_proj.weight", true), ("mlp.proj.bias", "mlp.c_proj.bias", false),
    ]

    /// SeqLab's tensors (a checkpoint's, by key) under GPT2LMHeadModel's names and orientation.
    static func exported(_ tensors: [Safetensors.Tensor], layers: Int) throws -> [Safetensors.Tensor] {
        var named = TensorsByName(tensors, path: "checkpoint")
        var out = try modelTensors.map { try named.take($0, as: "transformer." + $0) }
        for layer in 0..<layers {
            let (ours, theirs) = ("blocks.\(layer).", "transformer.h.\(layer).")
            for pair in blockTensors {
                let tensor = try named.take(ours + pair.ours, as: theirs + pair.theirs)
                out.append(pair.transposed ? tensor.transposed() : tensor)
            }
            let projections = try ["query", "key", "value"].map { try named.take(ours + "attn.\($0).weight", as: "").transposed() }
            out.append(Safetensors.Tensor(sideBySide: projections, name: theirs + "attn.c_attn.weight"))
            let biases = try ["query", "key", "value"].map { try named.take(ours + "attn.\($0).bias", as: "") }
            out.append(Safetensors.Tensor(name: theirs + "attn.c_attn.bias", shape: [biases.map { $0.shape[0] }.reduce(0, +)],
                                          values: biases.flatMap(\.values)))
        }
        if let head = named.takeIfPresent("lm_head.weight") { out.append(head) }
        try named.finish()
        return out
    }

    /// A GPT2LMHeadModel's tensors (config.json at `configPath` describing them) under SeqLab's keys, after
    /// checking that config against the spec's model: what the shapes cannot show (heads, activation,
    /// epsilon, tying) is compared here, and the layout check of the arena compares every shape after.
    static func imported(_ tensors: [Safetensors.Tensor], config: JSONObject, configPath: String, model: ModelSpec,
                         weightsPath: String) throws -> [Safetensors.Tensor] {
        let refuse = { (reason: String) in RunError.badFile(path: configPath, reason: reason) }
        if let reason = unmappable(model) { throw refuse("a GPT-2 cannot initialise this run: \(reason)") }
        let integer = { (key: String) throws -> Int in
            guard let number = config[key]?.number, number == number.rounded(), abs(number) < 1e9 else {
                throw refuse("'\(key)' must be a whole number")
            }
            return Int(number)
        }
        let (heads, layers, width) = (try integer("n_head"), try integer("n_layer"), try integer("n_embd"))
        for (key, theirs, specKey, ours) in [("n_head", heads, "heads", model.heads), ("n_layer", layers, "layers", model.layers),
                                             ("n_embd", width, "width", model.width)] where theirs != ours {
            throw refuse("\(key) is \(theirs) but the spec's model.\(specKey) is \(ours)")
        }
        if case let inner? = config["n_inner"], inner != .null, inner.number != Double(4 * width) {
            throw refuse("n_inner is \(inner.compact); SeqLab's GPT has a feed-forward of 4 × n_embd = \(4 * width)")
        }
        let activation = config["activation_function"].flatMap { if case .string(let name) = $0 { name } else { nil } } ?? "gelu_new"
        let expected = activationNames.first { $0.0 == model.activation }?.1 ?? []
        guard expected.contains(activation) else {
            let known = activationNames.first { $0.1.contains(activation) }.map { "model.activation: \($0.0.rawValue)" }
            throw refuse("activation_function is '\(activation)' but the spec's model.activation is \(model.activation.rawValue)"
                + (known.map { "; set \($0)" } ?? "; SeqLab has no such activation"))
        }
        let epsilon = config["layer_norm_epsilon"]?.number ?? 1e-5
        guard abs(epsilon - 1e-5) <= 1e-12 else { throw refuse("layer_norm_epsilon is \(epsilon); SeqLab's GPT uses 1e-05") }
        for (key, required) in [("scale_attn_weights", true), ("scale_attn_by_inverse_layer_idx", false),
                                ("add_cross_attention", false)] where (config[key] ?? .bool(required)) != .bool(required) {
            throw refuse("\(key) is \(config[key]?.compact ?? "") and SeqLab's GPT has only \(required)")
        }
        // A tied head can start an untied one (a copy of the embedding); an untied head has no place in a tied model.
        let tied = config["tie_word_embeddings"] ?? true
        guard tied == true || !model.tieEmbeddings else {
            throw refuse("tie_word_embeddings is \(tied.compact): its lm_head has its own weights, and the spec's "
                + "model.tie_embeddings is true; set model.tie_embeddings: false")
        }
        return try seqLabTensors(tensors, layers: layers, head: model.tieEmbeddings ? .tied : tied == true ? .copiedEmbedding : .own,
                                 path: weightsPath)
    }

    /// GPT2LMHeadModel's (or GPT2Model's, without the `transformer.` prefix) tensors under SeqLab's keys.
    /// The causal-mask buffers older checkpoints carry (`attn.bias`, `attn.masked_bias`) are not weights.
    /// Where SeqLab's output layer comes from.
    private enum Head {
        /// The token embedding is the head: no lm_head.weight.
        case tied
        /// An untied head that starts as a copy of a tied model's embedding.
        case copiedEmbedding
        /// The file's own lm_head.weight.
        case own
    }

    private static func seqLabTensors(_ tensors: [Safetensors.Tensor], layers: Int, head: Head,
                                      path: String) throws -> [Safetensors.Tensor] {
        let weights = tensors.filter { !$0.name.hasSuffix(".attn.masked_bias") && !($0.name.hasSuffix(".attn.bias") && $0.shape.count == 4) }
            .map { tensor in
                var renamed = tensor
                if tensor.name.hasPrefix("transformer.") { renamed.name.removeFirst("transformer.".count) }
                return renamed
            }
        var named = TensorsByName(weights, path: path)
        var out = try modelTensors.map { try named.take($0, as: $0) }
        for layer in 0..<layers {
            let (theirs, ours) = ("h.\(layer).", "blocks.\(layer).")
            for pair in blockTensors {
                let tensor = try named.take(theirs + pair.theirs, as: ours + pair.ours)
                out.append(pair.transposed ? tensor.transposed() : tensor)
            }
            let fused = try named.take(theirs + "attn.c_attn.weight", as: "")
            let fusedBias = try named.take(theirs + "attn.c_attn.bias", as: "")
            guard fused.shape.count == 2, fused.shape[1] % 3 == 0, fusedBias.shape == [fused.shape[1]] else {
                throw RunError.malformed(path: path, reason: "\(theirs)attn.c_attn is \(fused.shape) with bias \(fusedBias.shape); "
                    + "GPT-2's is (C, 3C) with bias (3C)")
            }
            let width = fused.shape[1] / 3
            for (index, projection) in ["query", "key", "value"].enumerated() {
                let columns = fused.columns(index * width..<(index + 1) * width)
                out.append(Safetensors.Tensor(name: ours + "attn.\(projection).weight", shape: columns.shape, values: columns.values).transposed())
                out.append(Safetensors.Tensor(name: ours + "attn.\(projection).bias", shape: [width],
                                              values: Array(fusedBias.values[(index * width)..<((index + 1) * width)])))
            }
        }
        // A tied model's file may still hold the head (older transformers wrote it): the embedding's copy.
        let written = named.takeIfPresent("lm_head.weight")
        switch head {
        case .tied: break
        case .copiedEmbedding: out.append(Safetensors.Tensor(name: "lm_head.weight", shape: out[0].shape, values: out[0].values))
        case .own: out.append(try written ?? named.take("lm_head.weight", as: "lm_head.weight"))
        }
        try named.finish()
        return out
    }
}

/// Tensors by name, each taken once: what is asked for and missing, and what is left over at the end,
/// are errors naming the tensor.
private struct TensorsByName {
    private var tensors: [String: Safetensors.Tensor]
    private let order: [String]
    let path: String

    init(_ list: [Safetensors.Tensor], path: String) {
        tensors = Dictionary(list.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        order = list.map(\.name)
        self.path = path
    }

    mutating func take(_ name: String, as newName: String) throws -> Safetensors.Tensor {
        guard var tensor = tensors.removeValue(forKey: name) else {
            throw RunError.malformed(path: path, reason: "no tensor '\(name)', which a GPT-2 of this configuration has")
        }
        tensor.name = newName
        return tensor
    }

    mutating func takeIfPresent(_ name: String) -> Safetensors.Tensor? { tensors.removeValue(forKey: name) }

    func finish() throws {
        guard let left = order.first(where: { tensors[$0] != nil }), let tensor = tensors[left] else { return }
        throw RunError.malformed(path: path, reason: "tensor '\(left)' \(tensor.shape) has no place in a GPT-2 "
            + "of this configuration (\(tensors.count) such tensor\(tensors.count == 1 ? "" : "s"))")
    }
}

extension Safetensors.Tensor {
    /// A matrix (rows, cols) as (cols, rows).
    func transposed() -> Safetensors.Tensor {
        guard shape.count == 2 else { return self }
        let (rows, cols) = (shape[0], shape[1])
        var out = [Float](repeating: 0, count: values.count)
        for row in 0..<rows {
            for col in 0..<cols { out[col * rows + row] = values[row * cols + col] }
        }
        return Safetensors.Tensor(name: name, shape: [cols, rows], values: out)
    }

    /// The columns `range` of a matrix (rows, cols).
    func columns(_ range: Range<Int>) -> Safetensors.Tensor {
        let (rows, cols) = (shape[0], shape[1])
        let values = (0..<rows).flatMap { row in self.values[(row * cols + range.lowerBound)..<(row * cols + range.upperBound)] }
        return Safetensors.Tensor(name: name, shape: [rows, range.count], values: values)
    }

    /// Matrices (rows, cᵢ) side by side as one (rows, Σcᵢ).
    init(sideBySide parts: [Safetensors.Tensor], name: String) {
        let rows = parts.first?.shape[0] ?? 0, widths = parts.map { $0.shape[1] }
        var values: [Float] = []
        values.reserveCapacity(rows * widths.reduce(0, +))
        for row in 0..<rows {
            for (part, width) in zip(parts, widths) { values += part.values[(row * width)..<((row + 1) * width)] }
        }
        self.init(name: name, shape: [rows, widths.reduce(0, +)], values: values)
    }
}
