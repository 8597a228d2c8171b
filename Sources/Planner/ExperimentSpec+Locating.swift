import Spec

extension ExperimentSpec {
    /// `body`, with a `PlanError` it throws turned into a spec error at the one of its keys written
    /// nearest the user (`--set`, then the spec's own file; see `SpecOrigins`), so that it names the
    /// file, line and column to change, as a parse error does. A spec made in code keeps the `PlanError`.
    public func locating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PlanError {
            throw origins.error(at: error.keys, error.description) ?? error
        }
    }
}
