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

    /// The cores this process may run on: its CPU affinity (the kernel's `Cpus_allowed` mask, in hex),
    /// which an MPI launcher's binding narrows.
    static var coresAllowed: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return ProcessInfo.processInfo.activeProcessorCount
        }
        return line.dropFirst("Cpus_allowed:".count).compactMap(\.hexDigitValue).reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// The commit of the working directory's git checkout, when there is one and git is installed.
    static var gitRevision: String? {
        standardOutput(of: ["git", "rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension TrainSpec {
    /// `threads`, by default every core of a run alone, and for one of `ranksOnNode` MPI ranks on a
    /// node the cores a launcher bound it to, or else its share of the node's: the large kernels of a
    /// run's programs split over them; results depend on the count only by rounding.
    func threadCount(ranksOnNode: Int = 1) -> Int {
        if let threads { return threads }
        guard ranksOnNode > 1 else { return ProcessInfo.processInfo.activeProcessorCount }
        let allowed = Machine.coresAllowed
        return max(1, allowed < sysconf(Int32(_SC_NPROCESSORS_ONLN)) ? allowed : allowed / ranksOnNode)
    }
}
