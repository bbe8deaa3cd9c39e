/// The engine's pending events: a binary min-heap of 16-byte entries in one
/// flat array, ordered by (time, key).
///
/// Why not swift-collections' `Heap`: it is a min-max heap (both ends), and the
/// network benchmark measured it at about 2.5× this queue's cost per event with
/// the engine's 32-byte events; the event queue is the engine's hottest loop.
/// `key` packs the event kind (top 2 bits) and a 62-bit payload, so ties at
/// equal times resolve deterministically.
struct FlowEventQueue {
    struct Entry {
        var time: Double
        var key: UInt64

        @inline(__always) static func < (a: Entry, b: Entry) -> Bool {
            a.time < b.time || (a.time == b.time && a.key < b.key)
        }
    }

    static let finish: UInt64 = 0, delivered: UInt64 = 1, timer: UInt64 = 2, inject: UInt64 = 3
    static let payloadMask: UInt64 = (1 << 62) - 1
    /// Tags must fit a signed 62-bit payload.
    static let tagRange = -(1 << 61)..<(1 << 61)

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var min: Entry? { entries.first }

    @inline(__always) static func key(kind: UInt64, payload: UInt64) -> UInt64 { kind << 62 | (payload & payloadMask) }
    @inline(__always) static func kind(_ key: UInt64) -> UInt64 { key >> 62 }
    @inline(__always) static func payload(_ key: UInt64) -> UInt64 { key & payloadMask }
    /// A signed tag from a payload (sign-extended from 62 bits).
    @inline(__always) static func tag(_ key: UInt64) -> Int { Int(bitPattern: UInt(key << 2)) >> 2 }

    mutating func insert(time: Double, key: UInt64) {
        entries.append(Entry(time: time, key: key))
        entries.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let x = h[i]
            while i > 0 {
                let parent = (i - 1) >> 1
                if !(x < h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = x
        }
    }

    mutating func removeMin() -> Entry {
        let top = entries[0]
        let last = entries.removeLast()
        if entries.isEmpty { return top }
        entries.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var c = l
                if l + 1 < n && h[l + 1] < h[l] { c = l + 1 }
                if !(h[c] < last) { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return top
    }
}
