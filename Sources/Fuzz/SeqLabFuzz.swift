import Foundation
import Fuzzing

// One binary for every fuzz target. `make fuzz` builds it with -sanitize=fuzzer,address and
// -DFUZZING: then it hands each input libFuzzer makes to the target SEQLAB_FUZZ_TARGET names. A plain
// build is the replayer that reruns saved inputs (a crash file, a corpus).

/// Ends the process with `message` on standard error and the exit `code`: how the tool was started
/// (an unknown target, a scratch directory it cannot write), not something a target found.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(code)
}

/// A scratch directory per process, holding the base a fuzzed sweep names.
let scratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-fuzz-\(getpid())")
    do {
        try FuzzTarget.prepare(scratch: url)
    } catch {
        fail("cannot prepare the scratch directory \(url.path): \(error)", code: 1)
    }
    return url
}()

let targetNames = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")

#if FUZZING
/// libFuzzer's driver (SwiftPM gives an executable its own `main`, so libFuzzer's cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SEQLAB_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fail("SEQLAB_FUZZ_TARGET is '\(name)'; set it to one of \(targetNames)", code: 64)
    }
    return target
}()

@main
enum Fuzz {
    static func main() {
        // Resolved before the driver starts, so that a mistake in either is a message, not a finding.
        _ = (target, scratch)
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            do {
                try target.run(bytes, scratch: scratch)
            } catch {
                // A finding: an input the target accepted but could not read back. libFuzzer keeps the
                // input that crashed the process, so the process must end abnormally here.
                FileHandle.standardError.write(Data("finding in \(target.rawValue): \(error)\n".utf8))
                abort()
            }
            return 0
        })
    }
}
#else
@main
enum Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            fail("usage: seqlab-fuzz TARGET FILE_OR_DIR... replays saved inputs; TARGET is one of \(targetNames)", code: 64)
        }
        var failures = 0, count = 0
        for path in arguments.dropFirst() {
            for file in files(at: path) {
                count += 1
                do {
                    try target.run([UInt8](try Data(contentsOf: file)), scratch: scratch)
                } catch {
                    failures += 1
                    print("\(file.path): \(error)")
                }
            }
        }
        print("\(target.rawValue): \(count) inputs, \(failures) failed")
        exit(failures == 0 ? 0 : 1)
    }

    /// The file at `path`, or every file in the directory at `path`.
    static func files(at path: String) -> [URL] {
        let url = URL(fileURLWithPath: path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [url] }
        return names.sorted().map { url.appendingPathComponent($0) }
    }
}
#endif
