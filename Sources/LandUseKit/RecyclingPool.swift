import Foundation

/// Spent buffers handed back by one pipeline stage for another to fill again, so that a classify run touches
/// the same pages chip row after chip row instead of faulting in fresh ones (on a 2-core machine the kernel's
/// page clearing competes with the model; see docs/benchmarks.md).
///
/// Holds at most `capacity` items; `give` drops the rest. Any thread may give or take.
final class RecyclingPool<Item>: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var items: [Item] = []

    init(capacity: Int) {
        precondition(capacity >= 1, "RecyclingPool capacity \(capacity) must be at least 1")
        self.capacity = capacity
    }

    /// A spent item, if one is waiting.
    func take() -> Item? {
        lock.lock()
        defer { lock.unlock() }
        return items.popLast()
    }

    /// A spent object that nobody else references any more (callers' copies released, not kept by a
    /// classifier), if one is waiting.
    func takeUnreferenced() -> Item? where Item: AnyObject {
        lock.lock()
        defer { lock.unlock() }
        for index in items.indices.reversed() where isKnownUniquelyReferenced(&items[index]) {
            return items.remove(at: index)
        }
        return nil
    }

    /// Hands `item` back for reuse (dropped when the pool is full).
    func give(_ item: Item) {
        lock.lock()
        defer { lock.unlock() }
        if items.count < capacity { items.append(item) }
    }
}
