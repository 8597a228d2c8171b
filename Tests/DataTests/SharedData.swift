import Data
import Foundation

/// The package root, found from this file so tests do not depend on the directory they run in.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The locator a user in the package root gets when nothing is configured: it finds ../shared/data.
let sharedLocator = DataLocator(dataDirectory: nil, environment: [:], currentDirectory: packageRoot.path)

/// A file of the shared corpora (../shared/data/README.md); a missing one fails the test with the
/// registry's message on how to get it.
func sharedFile(_ relativePath: String) throws -> URL {
    for dataset in DatasetRegistry.standard.datasets {
        if let file = dataset.files.first(where: { $0.relativePath == relativePath }) {
            return try sharedLocator.url(of: file, in: dataset)
        }
    }
    throw DataError.invalidOption("\(relativePath) is not a registered file")
}
