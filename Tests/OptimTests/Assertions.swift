import XCTest

/// Fails at the caller's line, naming the worst element, when `actual` and `expected` differ by more
/// than `atol + rtol·|expected|` anywhere (or differ in length). NaN never passes.
func assertNear(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-6, atol: Float = 0, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message) count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    var worst: (index: Int, excess: Float)?
    for i in actual.indices {
        let excess = abs(actual[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        if !(excess <= 0), excess.isNaN || excess > (worst?.excess ?? -.infinity) { worst = (i, excess) }
    }
    if let worst {
        XCTFail("\(message) element \(worst.index): \(actual[worst.index]) vs expected \(expected[worst.index])",
                file: file, line: line)
    }
}

/// `assertNear` for one value.
func assertNear(_ actual: Float, _ expected: Float, rtol: Float = 1e-6, atol: Float = 0, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) {
    assertNear([actual], [expected], rtol: rtol, atol: atol, message, file: file, line: line)
}
