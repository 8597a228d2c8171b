/// Offsets in one activation arena for buffers whose lifetimes are known in advance: first fit over
/// a free list kept sorted and coalesced, growing the arena only when nothing free fits.
struct ArenaAllocator {
    private var free: [(offset: Int, count: Int)] = []
    /// High-water mark: the arena's size in elements.
    private(set) var size = 0

    /// Buffers start on 16-element (64-byte) boundaries, a cache line, for the vector loops.
    private static func rounded(_ count: Int) -> Int { (Swift.max(count, 1) + 15) & ~15 }

    mutating func allocate(_ count: Int) -> Int {
        let need = Self.rounded(count)
        if let index = free.firstIndex(where: { $0.count >= need }) {
            let block = free[index]
            if block.count == need {
                free.remove(at: index)
            } else {
                free[index] = (block.offset + need, block.count - need)
            }
            return block.offset
        }
        // Extend a free block that ends at the top instead of leaving it stranded.
        if let last = free.last, last.offset + last.count == size {
            free.removeLast()
            size = last.offset + need
            return last.offset
        }
        defer { size += need }
        return size
    }

    mutating func release(offset: Int, count: Int) {
        let block = (offset: offset, count: Self.rounded(count))
        let index = free.firstIndex { $0.offset > offset } ?? free.count
        free.insert(block, at: index)
        if index + 1 < free.count, free[index].offset + free[index].count == free[index + 1].offset {
            free[index].count += free[index + 1].count
            free.remove(at: index + 1)
        }
        if index > 0, free[index - 1].offset + free[index - 1].count == free[index].offset {
            free[index - 1].count += free[index].count
            free.remove(at: index)
        }
    }
}
