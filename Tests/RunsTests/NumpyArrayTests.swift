import Foundation
import Runs
import XCTest

/// NumPy's .npy format 1.0 as numpy.save writes a float32 matrix: magic, version, header length,
/// a header dict padded to a multiple of 64 bytes, then the values little-endian.
final class NumpyArrayTests: XCTestCase {
    func testAMatrixInNumpysFormat() {
        let data = NumpyArray.encode([1, -2.5, 3, 0.5, 0, 7], rows: 2, columns: 3)
        XCTAssertEqual(Array(data.prefix(8)), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        // numpy.save of np.zeros((2, 3), '<f4') writes exactly this header.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        XCTAssertEqual(String(decoding: data[10..<(10 + headerLength)], as: UTF8.self),
                       header + String(repeating: " ", count: 118 - header.count - 1) + "\n")
        XCTAssertEqual((10 + headerLength) % 64, 0)
        let values = data.dropFirst(10 + headerLength)
        XCTAssertEqual(values.count, 24)
        let floats = stride(from: values.startIndex, to: values.endIndex, by: 4).map { (i: Int) -> Float in
            var bits: UInt32 = 0
            for byte in 0..<4 { bits |= UInt32(values[i + byte]) << UInt32(8 * byte) }
            return Float(bitPattern: bits)
        }
        XCTAssertEqual(floats, [1, -2.5, 3, 0.5, 0, 7])
    }
}
