internal import CYAML

/// Reads one YAML document into a `Node` tree through libyaml's event API. libyaml does the lexing
/// and reports malformed text (tabs, bad indentation, unclosed quotes) with its own problem text;
/// this adds what it leaves to applications: duplicate keys, and a refusal of anchors and aliases,
/// whose sharing would make "the value at this line" ambiguous in a diagnostic.
enum YAMLReader {
    /// Parses `text`, numbering positions from `line`/`column` — (1, 1) for a file; an override's
    /// value starts after `KEY=` on its own pseudo-line. An empty document is an empty mapping.
    static func read(_ text: String, source: SourceText, line: Int = 1, column: Int = 1) throws(SpecError) -> Node {
        let events = EventStream(text, source: source, line: line, column: column)
        var event = try events.next()
        precondition(event.type == YAML_STREAM_START_EVENT, "libyaml always opens a stream")
        event = try events.next()
        guard event.type == YAML_DOCUMENT_START_EVENT else {
            return Node(value: .mapping([]), mark: events.mark(line: 0, column: 0))
        }
        let root = try node(from: try events.next(), events, path: [], depth: 0)
        _ = try events.next()  // the document end
        let after = try events.next()
        if after.type == YAML_DOCUMENT_START_EVENT {
            throw after.mark.error("a spec is one YAML document; found a second one ('---')")
        }
        return root
    }

    /// How deep values may nest: a spec needs four or five levels, and each level is a stack frame, so
    /// a file of ten thousand `[` must be refused before it overflows the stack.
    static let maximumDepth = 64

    private static func node(from event: Event, _ events: EventStream, path: [String], depth: Int) throws(SpecError) -> Node {
        if depth > maximumDepth {
            throw event.mark.error("values nest deeper than \(maximumDepth) levels here; a spec needs a few")
        }
        if event.hasTag {
            // A tag would change a value's type unseen: `!!str 64` read as the integer 64.
            throw event.mark.error("tags (!!str, !!float…) are not supported in specs; quote a value to make it a string")
        }
        if event.hasAnchor {
            throw event.mark.error("anchors (&name) are not supported in specs; use 'extends:' to share settings")
        }
        switch event.type {
        case YAML_SCALAR_EVENT:
            return Node(value: .scalar(event.text, plain: event.isPlain), mark: event.mark)
        case YAML_SEQUENCE_START_EVENT:
            var items: [Node] = []
            while true {
                let next = try events.next()
                if next.type == YAML_SEQUENCE_END_EVENT { break }
                items.append(try node(from: next, events, path: path, depth: depth + 1))
            }
            return Node(value: .sequence(items), mark: event.mark)
        case YAML_MAPPING_START_EVENT:
            var entries: [Node.Entry] = []
            while true {
                let keyEvent = try events.next()
                if keyEvent.type == YAML_MAPPING_END_EVENT { break }
                guard keyEvent.type == YAML_SCALAR_EVENT, !keyEvent.hasAnchor, !keyEvent.hasTag else {
                    throw keyEvent.mark.error("a key must be a plain word\(section(path))")
                }
                let key = keyEvent.text
                if let first = entries.first(where: { $0.key == key }) {
                    throw keyEvent.mark.error("duplicate key '\(key)'\(section(path))",
                                              hint: "first set on line \(first.keyMark.line)")
                }
                let value = try node(from: try events.next(), events, path: path + [key], depth: depth + 1)
                entries.append(Node.Entry(key: key, keyMark: keyEvent.mark, value: value))
            }
            return Node(value: .mapping(entries), mark: event.mark)
        case YAML_ALIAS_EVENT:
            throw event.mark.error("aliases (*name) are not supported in specs; write the value out")
        default:
            preconditionFailure("libyaml sent event \(event.type.rawValue) where a value belongs")
        }
    }

    private static func section(_ path: [String]) -> String {
        path.isEmpty ? "" : " in '\(path.joined(separator: "."))'"
    }
}

/// What the tree builder needs from one libyaml event, copied out so the event can be freed at once.
private struct Event {
    var type: yaml_event_type_t
    var mark: Mark
    var text = ""
    var isPlain = false
    var hasAnchor = false
    var hasTag = false
}

/// Owns the libyaml parser and the input bytes it reads from (libyaml keeps a pointer to them).
private final class EventStream {
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let source: SourceText
    private let firstLine: Int
    private let firstColumn: Int
    /// False when libyaml could not allocate its parser (out of memory): `next()` then reports it.
    private let initialized: Bool

    init(_ text: String, source: SourceText, line: Int, column: Int) {
        self.source = source
        self.firstLine = line
        self.firstColumn = column
        let utf8 = Array(text.utf8)
        bytes = .allocate(capacity: max(1, utf8.count))
        _ = bytes.initialize(from: utf8)
        initialized = yaml_parser_initialize(parser) == 1
        guard initialized else { return }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, utf8.count)
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deallocate()
        bytes.deallocate()
    }

    /// Converts libyaml's 0-based mark; only the first line of the input is shifted by `firstColumn`.
    func mark(line: Int, column: Int) -> Mark {
        Mark(source: source, line: firstLine + line, column: column + 1 + (line == 0 ? firstColumn - 1 : 0))
    }

    func next() throws(SpecError) -> Event {
        guard initialized else {
            throw mark(line: 0, column: 0).error("libyaml could not allocate a parser (out of memory)")
        }
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else { throw parseError() }
        defer { yaml_event_delete(&raw) }
        var event = Event(type: raw.type, mark: mark(line: Int(raw.start_mark.line), column: Int(raw.start_mark.column)))
        switch raw.type {
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            event.text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            event.isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            event.hasAnchor = scalar.anchor != nil
            event.hasTag = scalar.tag != nil
        case YAML_SEQUENCE_START_EVENT:
            event.hasAnchor = raw.data.sequence_start.anchor != nil
            event.hasTag = raw.data.sequence_start.tag != nil
        case YAML_MAPPING_START_EVENT:
            event.hasAnchor = raw.data.mapping_start.anchor != nil
            event.hasTag = raw.data.mapping_start.tag != nil
        default:
            break
        }
        return event
    }

    /// libyaml's own words: "while scanning a quoted scalar, found unexpected end of stream". An
    /// error found only at the end of the input points back at where the construct began (the
    /// opening quote), which is where the fix goes.
    private func parseError() -> SpecError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = state.context.map { String(cString: $0) }
        var at = mark(line: Int(state.problem_mark.line), column: Int(state.problem_mark.column))
        if state.error == YAML_READER_ERROR {
            return mark(line: 0, column: 0).error("the file is not valid UTF-8 (\(problem) at byte \(state.problem_offset))")
        }
        if context != nil, at.source.line(at.line) == nil || problem.contains("end of stream") {
            at = mark(line: Int(state.context_mark.line), column: Int(state.context_mark.column))
        }
        let message = context.map { "\($0), \(problem)" } ?? problem
        let line = at.source.line(at.line) ?? ""
        let hasTab = line.unicodeScalars.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t")
            || line.unicodeScalars.dropFirst(max(0, at.column - 1)).first == "\t"
        return at.error(message, hint: hasTab ? "YAML indents with spaces; this line has a tab" : nil)
    }
}
