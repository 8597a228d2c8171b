/// What may name a run: its directory is `<name>-<time>` inside the runs directory, so a name is one
/// path component of printable characters — never a path out of the runs directory. The spec's
/// `name:`, `--name` and the run directory itself check the same rule.
public enum RunName {
    /// Why `name` cannot name a run (empty, holding a `/`, `.` or `..`, control characters); nil when it can.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.contains("/") { return "'\(name)' must not contain '/'" }
        if name == "." || name == ".." { return "must not be '\(name)'" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "'\(name.debugDescription.dropFirst().dropLast())' must not contain control characters"
        }
        return nil
    }

    /// A sweep's trial `index`: `trial-000`, its run directory and its name in messages.
    public static func trial(_ index: Int) -> String {
        let digits = String(index)
        return "trial-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
