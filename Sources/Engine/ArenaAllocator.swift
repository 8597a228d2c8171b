/// Offsets in one activation arena for buffers whose lifetimes are known in advance: best fit (the
/// smallest free block that holds it, the first of equals) over a free list kept sorted and coalesced,
/// growing the arena only when nothing free fits. Best fit leaves the large holes for large values:
/// the GRU LM's 35 unrolled steps plan 13.2 MiB with it, 14.2 with first fit.
struct ArenaAllocator {
    private var free: [(offset: Int, count: Int)] = []
    /// High-water mark: the arena's size in elements.
    private(set) var size = 0

    /// Buffers start on 16-element (64-byte) boundaries, a cache line, for the vector loops.
    private static func rounded(_ count: Int) -> Int { (Swift.max(count, 1) + 15) & ~15 }

    mutating func allocate(_ count: Int) -> Int {
        let need = Self.rounded(count)
        if let index = free.indices.filter({ free[$0].count >= need }).min(by: { free[$0].count < free[$1].count }) {
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
