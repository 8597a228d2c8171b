import Foundation
import Fuzzing

// One binary for every fuzz target. `make fuzz` builds it with -sanitize=fuzzer,address and
// -DFUZZING: then it hands each input libFuzzer makes to the target SEQLAB_FUZZ_TARGET names. A plain
// build is the replayer that reruns saved inputs (a crash file, a corpus).

/// A scratch directory per process, holding the base a fuzzed sweep names.
let scratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-fuzz-\(getpid())")
    do {
        try FuzzTarget.prepare(scratch: url)
    } catch {
        fatalError("cannot prepare \(url.path): \(error)")
    }
    return url
}()

#if FUZZING
/// libFuzzer's driver (SwiftPM gives an executable its own `main`, so libFuzzer's cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SEQLAB_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set SEQLAB_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

@main
enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
            do {
                try target.run(bytes, scratch: scratch)
            } catch {
                fatalError("\(target.rawValue): \(error)")
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
            FileHandle.standardError.write(Data("""
                usage: seqlab-fuzz TARGET FILE_OR_DIR...   (replays saved inputs; TARGET: \
                \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " | ")))\n
                """.utf8))
            exit(64)
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
