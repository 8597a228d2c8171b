/// An element that knows which of two comes out of a `BinaryHeap` first.
protocol HeapOrdered {
    static func before(_ a: Self, _ b: Self) -> Bool
}

/// A binary heap: `pop` returns the element that comes `before` all others. Used by BPE encoding (the
/// lowest-ranked merge of a word) and BPE training (the most frequent pair); the order is a static
/// function of the element so that the comparison inlines into the sift loops.
struct BinaryHeap<Element: HeapOrdered> {
    private var elements: [Element] = []

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Element.before(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = elements.first else { return nil }
        let last = elements.removeLast()
        guard !elements.isEmpty else { return top }
        elements[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < elements.count && Element.before(elements[left], elements[first]) { first = left }
            if right < elements.count && Element.before(elements[right], elements[first]) { first = right }
            guard first != parent else { return top }
            elements.swapAt(parent, first)
            parent = first
        }
    }
}
