extension ExperimentSpec {
    /// The spec with `transform` applied to every file reference it holds: `data.corpus`, `data.files`,
    /// each tokenizer's `file`, `init_from` and the word-vector evaluation files (`eval.word_pairs`,
    /// `eval.analogies`). Which keys name files is known here; what a reference means (a registry name
    /// or a path) is the caller's, e.g. the data locator making relative paths absolute.
    public func mappingFileReferences(_ transform: (String) -> String) -> ExperimentSpec {
        var spec = self
        if !spec.data.corpus.isEmpty { spec.data.corpus = transform(spec.data.corpus) }
        if var files = spec.data.files {
            files.train = transform(files.train)
            files.valid = files.valid.map(transform)
            files.test = files.test.map(transform)
            spec.data.files = files
        }
        spec.tokenizer.file = spec.tokenizer.file.map(transform)
        if var target = spec.targetTokenizer {
            target.file = target.file.map(transform)
            spec.targetTokenizer = target
        }
        spec.initFrom = spec.initFrom.map(transform)
        spec.eval.wordPairs = spec.eval.wordPairs.map(transform)
        spec.eval.analogies = spec.eval.analogies.map(transform)
        return spec
    }
}
