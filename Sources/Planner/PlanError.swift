/// A spec that parses but cannot be planned: a model kind not built yet, sizes that do not fit.
/// `keys` are the spec keys to change, most likely first; `ExperimentSpec.locating` reports the error
/// where one of them was written.
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
