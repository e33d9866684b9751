/// A first-in first-out buffer of keys with O(1) amortised append and pop.
struct KeyFIFO {
    private var storage: [ObjectKey] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ key: ObjectKey) { storage.append(key) }

    mutating func popFirst() -> ObjectKey? {
        guard head < storage.count else { return nil }
        let key = storage[head]
        head += 1
        // Reclaim the consumed prefix once it dominates the buffer.
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return key
    }
}
