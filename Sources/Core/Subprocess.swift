import Foundation

/// Runs `arguments` through `/usr/bin/env` (so the first is looked up on the PATH), with standard
/// error discarded; its standard output, or nil when it cannot start or exits non-zero. For the
/// optional facts a run records (git revision) and the bench's reference measurement.
public func standardOutput(of arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}
