/// The spec schema as data: each section lists its keys once, as `Field`s that decode a node into one
/// property (with its type and range checks) and encode that property back to YAML. Unknown-key
/// detection, did-you-mean, `--set` path checking and `resolvedYAML()` all read the same table, so a
/// key cannot be accepted by one and forgotten by another.
protocol SpecSection {
    /// Every property at its default.
    init()
    static var fields: [Field<Self>] { get }
    /// Rules that span keys (split fractions summing to ≤ 1, `epochs` or `steps`), run after every key
    /// of `node` has been decoded into `value`.
    static func validate(_ value: inout Self, _ node: Node, section: String) throws(SpecError)
}

extension SpecSection {
    static func validate(_ value: inout Self, _ node: Node, section: String) throws(SpecError) {}

    /// Two keys that set one thing, `defaulted` with a default and `alternative` without one (`epochs`
    /// or `steps`, `split` or `files`): naming the alternative alone clears the default; naming both in
    /// a section (say, a file extending one that gives the other) is ambiguous and refused, with the
    /// hint to write `defaulted: null` so as to `purpose`.
    static func resolveAlternative<A, B>(_ value: inout Self, _ node: Node, section: String,
                                         _ defaulted: String, _ defaultedPath: WritableKeyPath<Self, A?>,
                                         or alternative: String, _ alternativePath: KeyPath<Self, B?>,
                                         purpose: String) throws(SpecError) {
        guard let entry = node.entry(alternative), value[keyPath: alternativePath] != nil else { return }
        if node.entry(defaulted) == nil {
            value[keyPath: defaultedPath] = nil
        } else if value[keyPath: defaultedPath] != nil {
            throw entry.keyMark.error("set either '\(defaulted)' or '\(alternative)' in '\(section)', not both",
                                      hint: "write '\(defaulted): null' to \(purpose)")
        }
    }

    static func decode(_ node: Node, section: String) throws(SpecError) -> Self {
        guard let entries = node.entries else {
            throw node.mark.error("expected a mapping for '\(section)', found \(node.summary)")
        }
        let fields = Self.fields
        var value = Self()
        for entry in entries {
            guard let field = fields.first(where: { $0.key == entry.key }) else {
                throw unknownKey(entry.key, at: entry.keyMark, section: section, valid: fields.map(\.key))
            }
            try field.decode(&value, entry.value, qualified(section, entry.key))
        }
        try validate(&value, node, section: section)
        return value
    }

    /// The entries of `node` whose decoded values differ from the section's defaults: the keys a file
    /// really sets. A resolved spec writes every key, so one at its default counts as not given (and
    /// a key a kind does not read is refused only when it would change something).
    static func givenEntries(_ value: Self, _ node: Node) -> [Node.Entry] {
        let defaults = Self()
        let changed = Set(fields.filter { field in
            field.encode(value).map(YAMLWriter.flow) != field.encode(defaults).map(YAMLWriter.flow)
        }.map(\.key))
        return (node.entries ?? []).filter { changed.contains($0.key) }
    }

    /// `text`, a command-line value, read as the key `key` of this section by the key's own rule.
    static func commandLineValue<Value>(_ text: String, of key: String, _ path: KeyPath<Self, Value>, section: String)
        throws(SpecError) -> Value {
        guard let field = fields.first(where: { $0.key == key }) else { preconditionFailure("no key '\(key)' in \(section)") }
        let name = qualified(section, key)
        let node = Node(value: .scalar(text, plain: true), mark: Mark(source: SourceText(path: name, lines: [text]), line: 1, column: 1))
        var value = Self()
        try field.decode(&value, node, name)
        return value[keyPath: path]
    }

    static var keySchema: KeySchema {
        KeySchema(keys: fields.map { ($0.key, $0.nested) })
    }

    var yaml: YAMLValue {
        .mapping(Self.fields.compactMap { field in field.encode(self).map { (field.key, $0) } })
    }
}

/// The shape of the key tree, for checking `--set a.b.c` paths before anything is decoded.
struct KeySchema {
    var keys: [(key: String, nested: KeySchema?)]
}

func qualified(_ section: String, _ key: String) -> String {
    section.isEmpty ? key : "\(section).\(key)"
}

func unknownKey(_ key: String, at mark: Mark, section: String, valid: [String]) -> SpecError {
    mark.error("unknown key '\(key)'" + (section.isEmpty ? "" : " in '\(section)'"),
               hint: Suggestion.hint(for: key, in: valid))
}

/// One key of a section. `decode` gets the value node and the key's dotted name for messages; `encode`
/// returns nil for keys that never appear in a resolved spec (`extends`).
struct Field<Root> {
    let key: String
    let decode: (inout Root, Node, String) throws(SpecError) -> Void
    let encode: (Root) -> YAMLValue?
    var nested: KeySchema?
}

/// An enum a spec names by its raw value; `label` names it in messages ("unknown model kind 'gpt2'").
protocol SpecChoice: RawRepresentable<String>, CaseIterable, Sendable {
    static var label: String { get }
}

/// A range a number must lie in, with the wording messages use.
enum NumberRule {
    case any, positive, nonNegative, atLeastOne
    /// [0, 1): probabilities of dropping, momentum, Adam's betas.
    case fraction
    /// [0, 1]: data split fractions.
    case closedFraction
    /// (0, 1]: decay factors.
    case factor
    /// (0, 1): factors that must shrink what they multiply.
    case openFraction
    /// From 1 up to a bound: a beam SeqLab keeps, a model's sizes.
    case atLeastOneAtMost(Int)
    /// From 0 up to a bound.
    case nonNegativeAtMost(Double)
    /// Above 0 up to a bound.
    case positiveAtMost(Double)

    func allows(_ x: Double) -> Bool {
        switch self {
        case .any: x.isFinite
        case .positive: x > 0 && x.isFinite
        case .nonNegative: x >= 0 && x.isFinite
        case .atLeastOne: x >= 1 && x.isFinite
        case .fraction: x >= 0 && x < 1
        case .closedFraction: x >= 0 && x <= 1
        case .factor: x > 0 && x <= 1
        case .openFraction: x > 0 && x < 1
        case .atLeastOneAtMost(let bound): x >= 1 && x <= Double(bound)
        case .nonNegativeAtMost(let bound): x >= 0 && x <= bound
        case .positiveAtMost(let bound): x > 0 && x <= bound
        }
    }

    var wording: String {
        switch self {
        case .any: "a finite number"
        case .positive: "> 0"
        case .nonNegative: "≥ 0"
        case .atLeastOne: "≥ 1"
        case .fraction: "in [0, 1)"
        case .closedFraction: "in [0, 1]"
        case .factor: "in (0, 1]"
        case .openFraction: "in (0, 1)"
        case .atLeastOneAtMost(let bound): "between 1 and \(bound)"
        case .nonNegativeAtMost(let bound): "between 0 and \(Self.written(bound))"
        case .positiveAtMost(let bound): "> 0 and at most \(Self.written(bound))"
        }
    }

    /// A bound as it reads best: 1000000, not 1000000.0.
    private static func written(_ bound: Double) -> String {
        bound.rounded() == bound ? String(Int(bound)) : String(bound)
    }
}

/// Typed reads of one scalar node; every failure names the key and what was found there.
enum Scalar {
    static func int(_ node: Node, _ name: String, _ rule: NumberRule) throws(SpecError) -> Int {
        guard case .scalar(let text, plain: true) = node.value, !node.isNull, let value = Int(text) else {
            throw node.mark.error("expected an integer for '\(name)', found \(node.summary)")
        }
        guard rule.allows(Double(value)) else {
            throw node.mark.error("'\(name)' must be \(rule.wording), found \(value)")
        }
        return value
    }

    static func double(_ node: Node, _ name: String, _ rule: NumberRule) throws(SpecError) -> Double {
        guard case .scalar(let text, plain: true) = node.value, !node.isNull, let value = parseDouble(text) else {
            throw node.mark.error("expected a number for '\(name)', found \(node.summary)")
        }
        // 1e400 parses as infinity and 1e-400 as 0: said as such, not as a value out of the key's range.
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }
        guard value.isFinite, value != 0 || !mantissa.contains(where: { ("1"..."9").contains($0) }) else {
            throw node.mark.error("'\(name)' is \(text), beyond the range of a floating-point number")
        }
        guard rule.allows(value) else {
            throw node.mark.error("'\(name)' must be \(rule.wording), found \(text)")
        }
        return value
    }

    /// YAML's float forms that Swift's parser lacks (`.inf`, `.nan`) are left out on purpose: no spec
    /// value may be infinite, and refusing them here gives the range message instead of a NaN later.
    private static func parseDouble(_ text: String) -> Double? {
        guard let first = text.unicodeScalars.first, first == "-" || first == "+" || first == "."
                || ("0"..."9").contains(first) else { return nil }
        return Double(text)
    }

    static func bool(_ node: Node, _ name: String) throws(SpecError) -> Bool {
        if case .scalar(let text, plain: true) = node.value {
            switch text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        let word = node.text?.lowercased() ?? ""
        let hint: String? = ["yes", "on", "y"].contains(word) ? "did you mean 'true'?"
            : ["no", "off", "n"].contains(word) ? "did you mean 'false'?" : nil
        throw node.mark.error("expected true or false for '\(name)', found \(node.summary)", hint: hint)
    }

    static func string(_ node: Node, _ name: String) throws(SpecError) -> String {
        guard let text = node.text, !node.isNull else {
            throw node.mark.error("expected a string for '\(name)', found \(node.summary)")
        }
        return text
    }

    static func choice<E: SpecChoice>(_ node: Node, _ name: String, as _: E.Type) throws(SpecError) -> E {
        guard let text = node.text, !node.isNull else {
            throw node.mark.error("expected a \(E.label) for '\(name)', found \(node.summary)")
        }
        guard let value = E(rawValue: text) else {
            throw node.mark.error("unknown \(E.label) '\(text)'",
                                  hint: Suggestion.hint(for: text, in: E.allCases.map(\.rawValue)))
        }
        return value
    }

    static func strings(_ node: Node, _ name: String) throws(SpecError) -> [String] {
        var values: [String] = []
        for (i, item) in try list(node, name).enumerated() { values.append(try string(item, "\(name)[\(i)]")) }
        return values
    }

    static func list(_ node: Node, _ name: String) throws(SpecError) -> [Node] {
        guard case .sequence(let items) = node.value else {
            throw node.mark.error("expected a list for '\(name)', found \(node.summary)")
        }
        return items
    }
}

extension Node {
    /// The text of a scalar, nil for lists and mappings.
    var text: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }
}

/// The kinds of key a section can have. Optional keys accept `null` for "not set" and are written
/// back as `null`, so a resolved spec shows every key there is.
extension Field {
    static func int(_ key: String, _ path: WritableKeyPath<Root, Int>, _ rule: NumberRule = .any) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in root[keyPath: path] = try Scalar.int(node, name, rule) },
              encode: { .raw(String($0[keyPath: path])) })
    }

    static func int(_ key: String, _ path: WritableKeyPath<Root, Int?>, _ rule: NumberRule = .any) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.int(node, name, rule)
        }, encode: { root in root[keyPath: path].map { .raw(String($0)) } ?? .null })
    }

    static func double(_ key: String, _ path: WritableKeyPath<Root, Double>, _ rule: NumberRule = .any) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = try Scalar.double(node, name, rule)
        }, encode: { .raw(String($0[keyPath: path])) })
    }

    static func double(_ key: String, _ path: WritableKeyPath<Root, Double?>, _ rule: NumberRule = .any) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.double(node, name, rule)
        }, encode: { root in root[keyPath: path].map { .raw(String($0)) } ?? .null })
    }

    /// A list of exactly `count` numbers, each obeying `rule` (Adam's `betas`).
    static func doubles(_ key: String, _ path: WritableKeyPath<Root, [Double]>, count: Int,
                        _ rule: NumberRule) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            let items = try Scalar.list(node, name)
            guard items.count == count else {
                throw node.mark.error("'\(name)' takes \(count) numbers, found \(items.count)")
            }
            var values: [Double] = []
            for (i, item) in items.enumerated() { values.append(try Scalar.double(item, "\(name)[\(i)]", rule)) }
            root[keyPath: path] = values
        }, encode: { .list($0[keyPath: path].map { .raw(String($0)) }) })
    }

    /// A list of integers, each obeying `rule` (a schedule's `milestones`).
    static func ints(_ key: String, _ path: WritableKeyPath<Root, [Int]>, _ rule: NumberRule) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            var values: [Int] = []
            for (i, item) in try Scalar.list(node, name).enumerated() { values.append(try Scalar.int(item, "\(name)[\(i)]", rule)) }
            root[keyPath: path] = values
        }, encode: { .list($0[keyPath: path].map { .raw(String($0)) }) })
    }

    static func bool(_ key: String, _ path: WritableKeyPath<Root, Bool>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in root[keyPath: path] = try Scalar.bool(node, name) },
              encode: { .raw(String($0[keyPath: path])) })
    }

    static func bool(_ key: String, _ path: WritableKeyPath<Root, Bool?>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.bool(node, name)
        }, encode: { root in root[keyPath: path].map { .raw(String($0)) } ?? .null })
    }

    static func string(_ key: String, _ path: WritableKeyPath<Root, String>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in root[keyPath: path] = try Scalar.string(node, name) },
              encode: { .string($0[keyPath: path]) })
    }

    static func string(_ key: String, _ path: WritableKeyPath<Root, String?>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.string(node, name)
        }, encode: { root in root[keyPath: path].map { .string($0) } ?? .null })
    }

    static func strings(_ key: String, _ path: WritableKeyPath<Root, [String]>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in root[keyPath: path] = try Scalar.strings(node, name) },
              encode: { .list($0[keyPath: path].map { .string($0) }) })
    }

    static func strings(_ key: String, _ path: WritableKeyPath<Root, [String]?>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.strings(node, name)
        }, encode: { root in root[keyPath: path].map { .list($0.map { .string($0) }) } ?? .null })
    }

    static func choice<E: SpecChoice>(_ key: String, _ path: WritableKeyPath<Root, E>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = try Scalar.choice(node, name, as: E.self)
        }, encode: { .raw($0[keyPath: path].rawValue) })
    }

    static func choice<E: SpecChoice>(_ key: String, _ path: WritableKeyPath<Root, E?>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try Scalar.choice(node, name, as: E.self)
        }, encode: { root in root[keyPath: path].map { .raw($0.rawValue) } ?? .null })
    }

    static func choices<E: SpecChoice>(_ key: String, _ path: WritableKeyPath<Root, [E]>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            var values: [E] = []
            for item in try Scalar.list(node, name) { values.append(try Scalar.choice(item, name, as: E.self)) }
            root[keyPath: path] = values
        }, encode: { .list($0[keyPath: path].map { .raw($0.rawValue) }) })
    }

    static func section<S: SpecSection>(_ key: String, _ path: WritableKeyPath<Root, S>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = try S.decode(node, section: name)
        }, encode: { $0[keyPath: path].yaml }, nested: S.keySchema)
    }

    /// A section that may be absent as a whole (`reproduces`, or `split` when `files` is used).
    static func section<S: SpecSection>(_ key: String, _ path: WritableKeyPath<Root, S?>) -> Field {
        Field(key: key, decode: { root, node, name throws(SpecError) in
            root[keyPath: path] = node.isNull ? nil : try S.decode(node, section: name)
        }, encode: { $0[keyPath: path]?.yaml ?? .null }, nested: S.keySchema)
    }
}
