import Engine
import Graph

/// Writes NaN over the first `floats` floats of a shared activation scratch, with a program of its own,
/// as a run's other programs leave garbage behind. A program compiled over the scratch and run next
/// computes NaN wherever a kernel reads a value it has not written, where a fresh scratch's zeros would
/// hide the mistake.
public func poison(_ scratch: ActivationScratch, floats: Int) throws {
    guard floats > 0 else { return }
    let graph = Graph()
    let garbage = graph.input("garbage", shape: [floats]).exp()     // placed first: offset 0 of the scratch
    let program = try Engine.compile(graph, outputs: [garbage], scratch: scratch)
    try program.setInput("garbage", [Float](repeating: .nan, count: floats))
    program.run()
}
