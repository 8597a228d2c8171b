import Core
import Foundation
import Runs
import Spec

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
        standardOutput(of: ["git", "rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension TrainSpec {
    /// `threads`, by default the cores of the node shared among the `ranksOnNode` ranks training on it
    /// (all of them for a run alone), or the cores a launcher bound this rank to: the large kernels of
    /// a run's programs split over them; results depend on the count only by rounding.
    func threadCount(ranksOnNode: Int = 1) -> Int {
        let info = ProcessInfo.processInfo
        let bound = info.activeProcessorCount < info.processorCount
        return threads ?? max(1, bound ? info.activeProcessorCount : info.activeProcessorCount / ranksOnNode)
    }
}
