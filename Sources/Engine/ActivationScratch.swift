import Foundation

/// The memory a program's intermediate values live in: everything but its inputs and constants, which
/// stay in the program's own block.
///
/// Programs that never run at the same time — a run's bucket programs, one per padded shape, and its
/// evaluation programs — can share one scratch. Nothing in it outlives a run (outputs are read before
/// the next program runs), so each program only needs it to be large enough. A shared scratch reserves
/// address space for the largest program the machine could hold and lets the system provide the pages
/// when they are first written: the memory a run takes is that of its largest program, not the sum of
/// all of them (the Transformer on Multi30k: 1.4 GiB of training activations, not 2.9).
public final class ActivationScratch {
    let base: UnsafeMutablePointer<Float>
    /// Floats the scratch can hold.
    let capacity: Int
    /// Whether `base` is a reservation of pages (unmapped at the end), or an allocation of `capacity`.
    private let reserved: Bool

    /// A scratch for programs that take turns, large enough for any program `Engine.checkFits` lets
    /// compile; nil if the system refuses to reserve that much address space (each program then keeps
    /// its own).
    public static func shared() -> ActivationScratch? {
        let bytes = Engine.memoryLimit / 4096 * 4096
        let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { return nil }
        let floats = bytes / MemoryLayout<Float>.stride
        return ActivationScratch(base: mapping.bindMemory(to: Float.self, capacity: floats), capacity: floats, reserved: true)
    }

    /// A scratch of exactly `floats` floats, zeroed: one program's own.
    convenience init(floats: Int) {
        let capacity = Swift.max(floats, 1)
        let base = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
        self.init(base: base, capacity: capacity, reserved: false)
    }

    private init(base: UnsafeMutablePointer<Float>, capacity: Int, reserved: Bool) {
        (self.base, self.capacity, self.reserved) = (base, capacity, reserved)
    }

    /// Whether a program needing `floats` floats fits.
    func holds(_ floats: Int) -> Bool { floats <= capacity }

    deinit {
        if reserved {
            munmap(base, capacity * MemoryLayout<Float>.stride)
        } else {
            base.deallocate()
        }
    }
}
