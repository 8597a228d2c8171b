import Autodiff
import Core
import Engine
import Graph
import XCTest

/// Builds a scalar loss with `build`, lets the engine compute every parameter's gradient in fp32,
/// and compares them with central differences of the Float64 reference interpreter. Also checks the
/// engine's forward loss against the reference. Error per element: |analytic − numeric| /
/// max(|numeric|, scale), with scale a tenth of the parameter's largest numeric gradient magnitude
/// (at least 1e-3), so that near-zero entries are judged on the gradient's own scale.
public func gradCheck(_ build: (Graph) throws -> Tensor, inputs: [String: [Float]] = [:], seed: UInt64 = 1,
                      tolerance: Double = 1e-3, file: StaticString = #filePath, line: UInt = #line) {
    do {
        let graph = Graph(training: true)
        let loss = try build(graph)
        let parameters = graph.parameters.filter(\.trainable)
        let gradients = try graph.gradients(of: loss, withRespectTo: parameters.map { graph.tensor($0.node) })
        // Over a scratch another program has filled with NaN: a kernel that reads what it has not
        // written fails the check.
        let scratch = ActivationScratch.shared()
        let program = try Engine.compile(graph, outputs: [loss],
                                         gradients: zip(parameters, gradients).map { (graph.tensor($0.node), $1) }, seed: seed,
                                         scratch: scratch)
        if let scratch { try poison(scratch, floats: program.scratchFloats) }
        // Read before the run: buffer updates change buffers after the forward pass has used them.
        var feeds = inputs.mapValues { $0.map(Double.init) }
        for info in graph.parameters { feeds[info.key] = try program.arena.value(info.key).map(Double.init) }
        for (name, values) in inputs { try program.setInput(name, values) }
        program.run()

        var reference = ReferenceInterpreter(graph: graph, feeds: feeds)
        let referenceLoss = reference.evaluate(loss)[0]
        let engineLoss = Double(try program.scalar(loss))
        if Swift.abs(engineLoss - referenceLoss) > 1e-4 * Swift.max(1, Swift.abs(referenceLoss)) {
            XCTFail("forward loss \(engineLoss) vs reference \(referenceLoss)", file: file, line: line)
        }

        let step = 1e-6
        for info in parameters {
            let analytic = try program.arena.gradient(info.key)
            var numeric = [Double](repeating: 0, count: analytic.count)
            let original = feeds[info.key]!
            for i in original.indices {
                var values = original
                values[i] = original[i] + step
                reference.feeds[info.key] = values
                let plus = reference.evaluate(loss)[0]
                values[i] = original[i] - step
                reference.feeds[info.key] = values
                numeric[i] = (plus - reference.evaluate(loss)[0]) / (2 * step)
            }
            reference.feeds[info.key] = original
            let scale = Swift.max(1e-3, 0.1 * (numeric.map { Swift.abs($0) }.max() ?? 0))
            var worst = (error: 0.0, index: 0)
            for i in numeric.indices {
                let error = Swift.abs(Double(analytic[i]) - numeric[i]) / Swift.max(Swift.abs(numeric[i]), scale)
                if error > worst.error || error.isNaN { worst = (error, i) }
            }
            if !(worst.error <= tolerance) {
                XCTFail("""
                    gradient of '\(info.key)' \(info.shape) element \(worst.index): engine \(analytic[worst.index]) \
                    vs finite difference \(numeric[worst.index]) (relative error \(worst.error), tolerance \(tolerance))
                    """, file: file, line: line)
            }
        }
    } catch {
        XCTFail("gradCheck: \(error)", file: file, line: line)
    }
}
