import Foundation
import Runs

/// What summary.json records about where a run ran.
enum Machine {
    static var description: [String: JSONValue] {
        var info: [String: JSONValue] = [
            "host": .string(ProcessInfo.processInfo.hostName),
            "cores": .int(ProcessInfo.processInfo.activeProcessorCount),
            "memory_gib": .double(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824),
            "os": .string(ProcessInfo.processInfo.operatingSystemVersionString),
        ]
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            info["cpu"] = .string(name.trimmingCharacters(in: .whitespaces))
        }
        return info
    }

    /// The commit of the working directory's git checkout, when there is one and git is installed.
    static var gitRevision: String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
