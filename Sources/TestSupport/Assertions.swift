import XCTest

/// Elementwise |a − b| ≤ atol + rtol·|b|, reporting the worst element at the caller's line.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message) count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    var worst: (index: Int, excess: Float)?
    for i in actual.indices {
        let excess = Swift.abs(actual[i] - expected[i]) - (atol + rtol * Swift.abs(expected[i]))
        if !(excess <= 0), excess > (worst?.excess ?? -1) || excess.isNaN { worst = (i, excess) }
    }
    if let worst {
        XCTFail("\(message) element \(worst.index): \(actual[worst.index]) vs expected \(expected[worst.index])",
                file: file, line: line)
    }
}

public func assertClose(_ actual: Float, _ expected: Float, rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose([actual], [expected], rtol: rtol, atol: atol, message, file: file, line: line)
}
