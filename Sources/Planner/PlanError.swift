/// A spec that parses but cannot be planned: a model kind not built yet, sizes that do not fit.
public enum PlanError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unsupported(let what): "\(what) is not supported yet"
        case .invalid(let what): what
        }
    }

    /// Usage/spec errors: 64.
    public var exitCode: Int32 { 64 }
}
