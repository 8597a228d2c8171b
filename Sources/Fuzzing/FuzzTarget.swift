import Core
import Foundation
import Runs
import Spec
import Text

/// The readers of files a user (or a disk) hands SeqLab, each given arbitrary bytes: `make fuzz` runs
/// them under libFuzzer, `make test` replays the inputs saved in Tests/FuzzTests/Corpus.
///
/// A reader may refuse any input with its error; it must never trap, hang or let an input through that
/// it cannot read back. So beyond "no crash", each target checks a round trip on what it accepts:
/// a spec's resolved YAML reads back as the same spec, a checkpoint or safetensors file re-encodes to
/// one that decodes equal, a tokenizer encodes and decodes text without trapping.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case spec, sweep, tokenizer, checkpoint, safetensors

    /// A violated property of an accepted input: the fuzzer reports it as a crash, the replay as a failure.
    public struct Violation: Error, CustomStringConvertible {
        public let description: String
    }

    /// Feeds `bytes` to the target's reader. `scratch` is a directory the spec and sweep targets resolve
    /// relative paths against; `prepare(scratch:)` puts a sweep's base there.
    public func run(_ bytes: [UInt8], scratch: URL) throws(Violation) {
        switch self {
        case .spec: try Self.spec(bytes, scratch: scratch)
        case .sweep: Self.sweep(bytes, scratch: scratch)
        case .tokenizer: Self.tokenizer(bytes)
        case .checkpoint: try Self.checkpoint(bytes)
        case .safetensors: try Self.safetensors(bytes)
        }
    }

    /// The small experiment a fuzzed sweep's `base: base.yaml` names.
    public static func prepare(scratch: URL) throws {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let base = "model: {kind: rnn_lm, cell: gru, hidden: 8}\ndata: {corpus: timemachine}\ntrain: {epochs: 1}\n"
        try Data(base.utf8).write(to: scratch.appendingPathComponent("base.yaml"))
    }

    private static func spec(_ bytes: [UInt8], scratch: URL) throws(Violation) {
        let path = scratch.appendingPathComponent("fuzzed.yaml").path
        guard let spec = try? ExperimentSpec.parse(String(decoding: bytes, as: UTF8.self), path: path) else { return }
        let resolved = spec.resolvedYAML()
        let again: ExperimentSpec
        do {
            again = try ExperimentSpec.parse(resolved, path: path)
        } catch {
            throw Violation(description: "the resolved YAML is refused: \(error)\n\(resolved)")
        }
        guard again == spec else { throw Violation(description: "the resolved YAML reads back as another spec:\n\(resolved)") }
    }

    private static func sweep(_ bytes: [UInt8], scratch: URL) {
        let path = scratch.appendingPathComponent("fuzzed-sweep.yaml").path
        guard let sweep = try? SweepSpec.parse(String(decoding: bytes, as: UTF8.self), path: path) else { return }
        _ = sweep.summary
    }

    /// Text that reaches every branch of the pre-tokenizers: words, digits, punctuation, spacing, accents,
    /// CJK, an emoji with a joiner, a lone combining mark, control characters and an empty line.
    private static let probes = ["Hello, world! It's 2026.", "", "  tabs\tand\nnewlines\r\n", "naïve café ﬁ Å",
                                 "東京 の 雨", "👩‍👩‍👧 ok", "\u{301}x", "\u{0}\u{7F}\u{FEFF}"]

    private static func tokenizer(_ bytes: [UInt8]) {
        guard let tokenizer = try? TokenizerFile.load(Data(bytes), file: "fuzzed.json") else { return }
        for text in probes { _ = tokenizer.decode(tokenizer.encode(text)) }
        _ = tokenizer.decode([-1, 0, tokenizer.vocabularySize, Int.max])
    }

    /// A checkpoint's checksum stops nearly every mutation at the door, so each input is also read
    /// "sealed": its length and CRC-32 fields rewritten to match, which lets mutations reach the body.
    private static func checkpoint(_ bytes: [UInt8]) throws(Violation) {
        for candidate in [bytes, sealed(bytes)] {
            guard let checkpoint = try? Checkpoint.decode(candidate, path: "fuzzed.ckpt") else { continue }
            // Compared as bytes: a NaN among the values is never equal to itself.
            let encoded = checkpoint.encoded()
            guard (try? Checkpoint.decode(encoded, path: "re-encoded.ckpt"))?.encoded() == encoded else {
                throw Violation(description: "an accepted checkpoint does not survive re-encoding")
            }
        }
    }

    /// `init_from`'s reader; an accepted file must re-encode to one that reads back to the same bytes.
    private static func safetensors(_ bytes: [UInt8]) throws(Violation) {
        guard let weights = try? Safetensors.decode(bytes, path: "fuzzed.safetensors") else { return }
        let encoded = weights.encoded()
        guard (try? Safetensors.decode(encoded, path: "re-encoded.safetensors"))?.encoded() == encoded else {
            throw Violation(description: "an accepted safetensors file does not survive re-encoding")
        }
    }

    /// `bytes` with the header's length and the trailing checksum made to agree with the rest.
    static func sealed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= Checkpoint.headerSize + 4 else { return bytes }
        var out = bytes
        withUnsafeBytes(of: UInt64(out.count).littleEndian) { out.replaceSubrange(12..<20, with: $0) }
        let sum = crc32(out[..<(out.count - 4)])
        withUnsafeBytes(of: sum.littleEndian) { out.replaceSubrange((out.count - 4)..., with: $0) }
        return out
    }
}
