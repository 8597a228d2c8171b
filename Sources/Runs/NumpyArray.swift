import Foundation

/// A float32 matrix in NumPy's `.npy` format (version 1.0), as `numpy.load` reads it: the magic
/// `\x93NUMPY`, the version, a little-endian header length, a header dict padded with spaces to a
/// multiple of 64 bytes and ended by a newline, then the rows' values, little-endian.
public enum NumpyArray {
    /// The bytes of an (rows, columns) float32 matrix; `values` holds rows × columns floats, row after row.
    public static func encode(_ values: [Float], rows: Int, columns: Int) -> Data {
        precondition(values.count == rows * columns, "a matrix of rows × columns values")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        // magic (6) + version (2) + length (2) + header + "\n" is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}
