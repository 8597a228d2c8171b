import Graph
import Models

extension LanguageModelPlan {
    /// A GPT decoding graph over `length` new tokens of one sequence with a key/value cache of
    /// `slots` earlier positions. Inputs: `tokens` (1, T), `positions` (T), `mask` (T, S + T) and per
    /// layer `cache.<l>.keys` / `cache.<l>.values` (1, nh, S, hs); outputs the logits (1, T, V) and
    /// per layer the new tokens' keys and values (1, nh, T, hs).
    public struct CachedPass {
        public let graph: Graph
        public let logits: Tensor
        public let keys: [Tensor]
        public let values: [Tensor]
        public let length: Int
        public let slots: Int
        public let heads: Int
        public let headSize: Int

        /// Tokens a full cache keeps when it starts over: half of it.
        public static func refillLength(slots: Int) -> Int { max(1, slots / 2) }

        public static let positions = "positions"
        public static let mask = "mask"
        public static func keysInput(layer: Int) -> String { "cache.\(layer).keys" }
        public static func valuesInput(layer: Int) -> String { "cache.\(layer).values" }

        init(_ config: GPT.Config, length: Int) throws {
            let graph = Graph(training: false)
            let (slots, heads, headSize) = (config.blockSize, config.heads, config.width / config.heads)
            let tokens = graph.input(LanguageModelPlan.tokens, shape: [1, length], dtype: .int32)
            let positions = graph.input(Self.positions, shape: [length], dtype: .int32)
            let mask = graph.input(Self.mask, shape: [length, slots + length])
            let cache = { (name: String) in graph.input(name, shape: [1, heads, slots, headSize]) }
            let step = try GPT(graph, config: config)(
                tokens, positions: positions, pastKeys: (0..<config.layers).map { cache(Self.keysInput(layer: $0)) },
                pastValues: (0..<config.layers).map { cache(Self.valuesInput(layer: $0)) }, mask: mask)
            self.graph = graph
            (logits, keys, values) = step
            (self.length, self.slots, self.heads, self.headSize) = (length, slots, heads, headSize)
        }
    }
}
