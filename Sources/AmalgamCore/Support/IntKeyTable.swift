/// A grow-only hash map from non-negative `Int` keys to values, for the hot caches
/// (routes by rank pair, paths by node pair) that are read millions of times per run.
///
/// Why not `Dictionary`: its per-process seeded SipHash costs more than everything
/// else a route look-up does. Here a key is spread by one Fibonacci multiply (keys
/// are dense pair indices, not adversarial input) into an open-addressing table with
/// linear probing, kept at most half full. Iteration order is never exposed, so the
/// table cannot make output depend on hashing.
struct IntKeyTable<Value> {
    /// Slot keys; -1 marks an empty slot.
    private var keys: [Int]
    private var values: [Value?]
    private var shift: Int
    /// Entries stored.
    private(set) var count = 0

    /// An empty table with room for about `capacity` entries before it grows.
    init(capacity: Int = 8) {
        var bits = 4
        while (1 << bits) < 2 * max(capacity, 1) { bits += 1 }
        keys = [Int](repeating: -1, count: 1 << bits)
        values = [Value?](repeating: nil, count: 1 << bits)
        shift = 64 - bits
    }

    @inline(__always) private func home(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The value stored for `key`, or nil (always nil for a negative key: those are
    /// never stored, since -1 marks empty slots).
    @inline(__always) func value(for key: Int) -> Value? {
        guard key >= 0 else { return nil }
        let mask = keys.count - 1
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k < 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Stores `value` for `key`, replacing any value it had. A negative key is not
    /// stored (callers pass pair indices, which are ≥ 0; a look-up of it gives nil).
    mutating func insert(_ value: Value, for key: Int) {
        guard key >= 0 else { return }
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = home(key)
        while keys[i] >= 0 && keys[i] != key { i = (i + 1) & mask }
        if keys[i] < 0 { count += 1 }
        keys[i] = key
        values[i] = value
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [Int](repeating: -1, count: oldKeys.count * 2)
        values = [Value?](repeating: nil, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k >= 0 { insert(v!, for: k) }
    }
}

extension IntKeyTable: Sendable where Value: Sendable {}
