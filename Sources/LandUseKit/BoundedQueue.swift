import Foundation

/// A first-in, first-out hand-over between one producer thread and one consumer thread that holds at most
/// `capacity` items: the producer blocks while it is full, so work in flight (and its memory) stays bounded.
///
/// `finish()` is the producer's "no more items" (the consumer still takes what is queued, then gets nil);
/// `cancel()` is either side's "stop": queued items are dropped, `put` returns false and `take` nil from then on.
final class BoundedQueue<Element>: @unchecked Sendable {
    let capacity: Int
    private let condition = NSCondition()
    private var items: [Element] = []
    private var finished = false
    private var cancelled = false

    init(capacity: Int) {
        precondition(capacity >= 1, "BoundedQueue capacity \(capacity) must be at least 1")
        self.capacity = capacity
    }

    /// Queues `item`, waiting while the queue is full. Returns false, dropping the item, once cancelled.
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        precondition(!finished, "put after finish()")
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The oldest item, waiting while the queue is empty; nil once finished and drained, or cancelled.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished && !cancelled { condition.wait() }
        guard !cancelled, !items.isEmpty else { return nil }
        condition.broadcast()
        return items.removeFirst()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
