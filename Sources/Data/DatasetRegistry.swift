/// One file of a registered dataset: where it sits under a data directory, where to download it,
/// and the sha256 it must have.
public struct DatasetFile: Hashable, Sendable {
    /// What the file is within its dataset: `text` for single-file corpora, `train.de` … for multi30k.
    public let role: String
    /// Path under a data directory, e.g. `timemachine/timemachine.txt`.
    public let relativePath: String
    /// A URL that `curl -fL` downloads the file from.
    public let address: String
    /// Lowercase hex, as `sha256sum` prints it.
    public let sha256: String

    public init(role: String, relativePath: String, address: String, sha256: String) {
        self.role = role
        self.relativePath = relativePath
        self.address = address
        self.sha256 = sha256
    }
}

public struct Dataset: Hashable, Sendable {
    public let name: String
    public let summary: String
    public let files: [DatasetFile]

    public init(name: String, summary: String, files: [DatasetFile]) {
        self.name = name
        self.summary = summary
        self.files = files
    }

    public func file(role: String) throws(DataError) -> DatasetFile {
        guard let file = files.first(where: { $0.role == role }) else {
            throw .unknownFile(name: name, role: role, known: files.map(\.role))
        }
        return file
    }

    /// The only file of a single-file corpus.
    public func singleFile() throws(DataError) -> DatasetFile {
        guard files.count == 1 else { throw .unknownFile(name: name, role: "text", known: files.map(\.role)) }
        return files[0]
    }
}

/// The datasets a spec can name (`data.corpus: timemachine`). Addresses and checksums are those of
/// ../shared/data/README.md; tests build their own registries over temporary files.
public struct DatasetRegistry: Hashable, Sendable {
    public let datasets: [Dataset]

    public init(datasets: [Dataset]) { self.datasets = datasets }

    public subscript(name: String) -> Dataset? { datasets.first { $0.name == name } }
    public var names: [String] { datasets.map(\.name) }

    public static let standard = DatasetRegistry(datasets: [
        Dataset(name: "timemachine", summary: "H. G. Wells, The Time Machine; d2l's char/word LM corpus", files: [
            DatasetFile(role: "text", relativePath: "timemachine/timemachine.txt",
                        address: "https://github.com/probml/probml-data/raw/main/data/timemachine.txt",
                        sha256: "4149e15a170aa94068969282e8b2cee7aaab0d889bf1c0d684378177040267dd"),
        ]),
        Dataset(name: "names", summary: "32,033 first names, one per line (makemore)", files: [
            DatasetFile(role: "text", relativePath: "names/names.txt",
                        address: "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
                        sha256: "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"),
        ]),
        Dataset(name: "tinyshakespeare", summary: "40k lines of Shakespeare (char-rnn, nanoGPT)", files: [
            DatasetFile(role: "text", relativePath: "tinyshakespeare/input.txt",
                        address: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                        sha256: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
        ]),
        Dataset(name: "wikitext2", summary: "WikiText-2 word-level text with <unk> (Merity et al.): valid and test files "
                + "only; name one as wikitext2:valid", files: [
            DatasetFile(role: "valid", relativePath: "wikitext2/valid.txt",
                        address: wikitext2Address + "valid.txt",
                        sha256: "f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8"),
            DatasetFile(role: "test", relativePath: "wikitext2/test.txt",
                        address: wikitext2Address + "test.txt",
                        sha256: "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0"),
        ]),
        Dataset(name: "wordsim", summary: "word-vector evaluation sets: WordSim-353 and SimLex-999 (word pairs with human "
                + "scores), the word2vec analogy questions; name one as wordsim:simlex999", files: [
            DatasetFile(role: "wordsim353", relativePath: "wordsim/wordsim353.tsv",
                        address: gensimTestData + "wordsim353.tsv",
                        sha256: "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d"),
            DatasetFile(role: "simlex999", relativePath: "wordsim/simlex999.txt",
                        address: gensimTestData + "simlex999.txt",
                        sha256: "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d"),
            DatasetFile(role: "questions-words", relativePath: "wordsim/questions-words.txt",
                        address: "https://raw.githubusercontent.com/tmikolov/word2vec/master/questions-words.txt",
                        sha256: "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36"),
        ]),
        Dataset(name: "sst2", summary: "Stanford Sentiment Treebank, binary (GLUE SST-2): 67,349 training phrases and 872 "
                + "dev sentences as label<TAB>text, one header line (train's says sentence, dev's content; train mixes CRLF "
                + "and CR line ends); the dev file is the valid split", files: [
            DatasetFile(role: "train", relativePath: "sst2/train.tsv", address: sst2Address + "train.tsv",
                        sha256: "e981ceb4fe6c9acd1c79851d0d091b9e78103f1f2a399ca83dda27915d41c56c"),
            DatasetFile(role: "valid", relativePath: "sst2/dev.tsv", address: sst2Address + "dev.tsv",
                        sha256: "84207e6be5873fb18db798cc6faec86871f5a426554650ff64a1c34e87665f6f"),
        ]),
        Dataset(name: "multi30k", summary: "Multi30k task 1 German–English, lowercased and tokenised",
                files: multi30kFiles),
        Dataset(name: "multi30k_raw", summary: "Multi30k task 1 German–English as written (cased, untokenised), gzip",
                files: multi30kRawFiles),
    ])

    /// GLUE's SST-2 with the columns swapped (label first), as ../shared/data/README.md gives it.
    private static let sst2Address = "https://raw.githubusercontent.com/awake020/pytorch_Bert_sst2/master/SST-2/"

    /// Where gensim keeps the word-similarity sets among its test data.
    private static let gensimTestData = "https://raw.githubusercontent.com/piskvorky/gensim/develop/gensim/test/test_data/"

    /// Where pytorch/examples' word_language_model keeps its copy of WikiText-2.
    private static let wikitext2Address =
        "https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2/"

    /// The raw files of task 1 (`*.gz`, read decompressed), by split and language.
    private static let multi30kRawFiles = multi30k(folder: "raw", name: { "\($0).\($1).gz" }, sha256: [
        "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
        "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
        "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
        "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
        "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
        "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
    ])

    /// The lowercased, normalised, tokenised files (`*.lc.norm.tok.*`) of task 1, by split and language.
    private static let multi30kFiles = multi30k(folder: "tok", name: { "\($0).lc.norm.tok.\($1)" }, sha256: [
        "cb5a23529b65ec2061f1dc446192a9c37382b63cc75f81a0be59d34894b3a505",
        "08925f8e0572bcd5a006702fc5fe20e2d77c6917d4eebd576fc20de6693c2119",
        "97232bd273eceb7207f689527386a97e4be2616b18ada47576bdaf96c8ae1f00",
        "46573ce391ae227f1c72f873392436a20ef18e0a6d518098cfbd70b77c8572ec",
        "c6a33d39d48f9f510de147651316cd9d918e09ad0219df734a2f16b6baccacc4",
        "5b7f32627cf99eced828311b955dae9800bb52bc8b91cf8b6526829e605b29d2",
    ])

    /// Task 1's six files, `<split>.<language>` for train, valid, test × de, en in that order (`sha256`
    /// likewise), named `name(stem, language)` in the dataset repository's `data/task1/<folder>/`.
    private static func multi30k(folder: String, name: (String, String) -> String, sha256: [String]) -> [DatasetFile] {
        let files = [("train", "train"), ("valid", "val"), ("test", "test_2016_flickr")].flatMap { split, stem in
            ["de", "en"].map { language in (split, language, name(stem, language)) }
        }
        return zip(files, sha256).map { file, hash in
            DatasetFile(role: "\(file.0).\(file.1)", relativePath: "multi30k/\(file.2)",
                        address: "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/\(folder)/\(file.2)",
                        sha256: hash)
        }
    }
}
