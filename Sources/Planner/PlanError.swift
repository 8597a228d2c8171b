import Spec

/// A spec that parses but cannot be planned: a model kind not built yet, sizes that do not fit.
/// `keys` are the spec keys to change, most likely first; `ExperimentSpec.locating` reports the error
/// at the first of them the spec's files wrote.
public enum PlanError: Error, Equatable, CustomStringConvertible {
    case unsupported(String, keys: [String] = [])
    case invalid(String, keys: [String] = [])

    public var description: String {
        switch self {
        case .unsupported(let what, _): "\(what) is not supported yet"
        case .invalid(let what, _): what
        }
    }

    public var keys: [String] {
        switch self {
        case .unsupported(_, let keys), .invalid(_, let keys): keys
        }
    }

    /// Usage/spec errors: 64.
    public var exitCode: Int32 { 64 }
}

extension ExperimentSpec {
    /// `body`, with a `PlanError` it throws turned into a spec error at the first of its keys that the
    /// spec's files or `--set` wrote (see `SpecOrigins`), so that it names the file, line and column
    /// to change, as a parse error does. A spec made in code keeps the `PlanError`.
    public func locating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PlanError {
            throw origins.error(at: error.keys, error.description) ?? error
        }
    }
}
