import Foundation

/// What a finished child process left: its exit status and both of its outputs.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let output: String
    public let error: String
}

/// Runs `arguments` through `/usr/bin/env` (so the first is looked up on the PATH) and waits for it;
/// nil when it cannot start at all.
public func runProcess(_ arguments: [String]) -> ProcessResult? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    // Standard error goes to a file, read at the end: two pipes read one after the other could
    // leave the child blocked on the second while the first is drained. The file's name is removed
    // as soon as it is open, before the child starts, so a runner killed while the child runs (SIGKILL
    // runs no cleanup) leaves no file behind.
    let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-stderr-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: errorURL.path, contents: nil),
          let errorFile = try? FileHandle(forUpdating: errorURL) else { return nil }
    try? FileManager.default.removeItem(at: errorURL)
    defer { try? errorFile.close() }
    let output = Pipe()
    (process.standardOutput, process.standardError) = (output, errorFile)
    guard (try? process.run()) != nil else { return nil }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? errorFile.seek(toOffset: 0)
    let errorData = (try? errorFile.readToEnd()) ?? Data()
    return ProcessResult(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                         error: String(decoding: errorData, as: UTF8.self))
}

/// `runProcess`'s standard output, or nil when the process cannot start or exits non-zero. For the
/// optional facts a run records (git revision) and the bench's reference measurement.
public func standardOutput(of arguments: [String]) -> String? {
    guard let result = runProcess(arguments), result.status == 0 else { return nil }
    return result.output
}
