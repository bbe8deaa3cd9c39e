/// Max-min fair rate allocation (progressive filling) for `FlowEngine`,
/// restricted to the flows whose rates can have changed.
extension FlowEngine {
    /// Re-rates every flow connected, through binding links, to a link touched
    /// since the last call, and schedules the finish events of flows whose
    /// rate changed.
    ///
    /// Why a component suffices: the max-min allocation is unique and depends
    /// only on the constraint polytope. Each flow's rate is capped by its route
    /// bottleneck; a link whose flows' caps sum to at most its capacity is
    /// therefore redundant and is dropped. The remaining (binding) links split
    /// flows into independent components, and only the components touched by a
    /// started or finished flow can change.
    mutating func settle() {
        if dirtyLinks.isEmpty && newSlots.isEmpty { return }
        stamp &+= 1
        if stamp == 0 {
            // Wrapped: clear the marks so a stale mark cannot alias the new stamp.
            for i in linkState.indices { linkState[i].mark = 0; linkState[i].sat = 0 }
            for i in slots.indices { slots[i].mark = 0; slots[i].frozen = 0 }
            stamp = 1
        }
        compFlows.removeAll(keepingCapacity: true)
        compLinks.removeAll(keepingCapacity: true)
        // Seeds: every flow on a touched link that is or was binding (a link
        // that just became slack still releases its flows), and every new flow.
        // Links slack before and after a change are never queued here.
        for l32 in dirtyLinks {
            let l = Int(l32)
            if linkState[l].mark == stamp { continue }
            linkState[l].mark = stamp
            if binding(l) { compLinks.append(l32) }
            var node = linkState[l].head
            while node >= 0 {
                let f = node >> Int32(posShift)
                if slots[Int(f)].mark != stamp { slots[Int(f)].mark = stamp; compFlows.append(f) }
                node = nodeNext[Int(node)]
            }
        }
        for f in newSlots where slots[Int(f)].active && slots[Int(f)].mark != stamp {
            slots[Int(f)].mark = stamp; compFlows.append(f)
        }
        dirtyLinks.removeAll(keepingCapacity: true)
        newSlots.removeAll(keepingCapacity: true)
        // Closure through binding links.
        var i = 0
        while i < compFlows.count {
            let r = Int(slots[Int(compFlows[i])].route)
            for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                let l = Int(routeLinks[j])
                if linkState[l].mark == stamp || !binding(l) { continue }
                linkState[l].mark = stamp
                compLinks.append(Int32(l))
                var node = linkState[l].head
                while node >= 0 {
                    let f = node >> Int32(posShift)
                    if slots[Int(f)].mark != stamp { slots[Int(f)].mark = stamp; compFlows.append(f) }
                    node = nodeNext[Int(node)]
                }
            }
            i += 1
        }
        fill()
        for f32 in compFlows {
            let f = Int(f32)
            let rate = slots[f].newRate
            if rate == slots[f].rate { continue }
            slots[f].remaining = max(0, slots[f].remaining - slots[f].rate * (now - slots[f].updated))
            slots[f].updated = now
            slots[f].rate = rate
            slots[f].version &+= 1
            heap.insert(time: now + slots[f].remaining / rate,
                        key: FlowEventQueue.key(kind: FlowEventQueue.finish, payload: UInt64(f) << 30 | UInt64(slots[f].version & 0x3FFF_FFFF)))
        }
    }

    /// Progressive filling over `compFlows` with the binding links `compLinks`
    /// (each flow also capped by its route bottleneck): raise all unfrozen
    /// rates together; at each level freeze the flows that hit their cap or
    /// cross a link whose fair share is exhausted. Writes each slot's `newRate`.
    ///
    /// Cost: O(levels × (component links + component flows × route length));
    /// the number of distinct levels is small in practice (1 for a ring).
    mutating func fill() {
        for l32 in compLinks {
            let l = Int(l32)
            linkState[l].remCap = linkState[l].cap
            linkState[l].unfrozen = linkState[l].count
        }
        var left = compFlows.count
        while left > 0 {
            var share = Double.infinity
            for l32 in compLinks {
                let l = Int(l32)
                if linkState[l].unfrozen > 0 { share = min(share, max(0, linkState[l].remCap) / Double(linkState[l].unfrozen)) }
            }
            for f32 in compFlows where slots[Int(f32)].frozen != stamp {
                share = min(share, slots[Int(f32)].cap)
            }
            // Links exhausted at this level, decided before any update below. All
            // their unfrozen flows freeze now, so a mark never needs clearing.
            for l32 in compLinks {
                let l = Int(l32)
                if linkState[l].unfrozen > 0 && max(0, linkState[l].remCap) / Double(linkState[l].unfrozen) <= share { linkState[l].sat = stamp }
            }
            for f32 in compFlows where slots[Int(f32)].frozen != stamp {
                let f = Int(f32), r = Int(slots[f].route)
                var freeze = slots[f].cap <= share
                if !freeze {
                    for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                        let l = Int(routeLinks[j])
                        if linkState[l].sat == stamp && linkState[l].mark == stamp && binding(l) {
                            freeze = true; break
                        }
                    }
                }
                if !freeze { continue }
                slots[f].frozen = stamp
                slots[f].newRate = share
                left -= 1
                for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                    let l = Int(routeLinks[j])
                    if linkState[l].mark == stamp && binding(l) {
                        linkState[l].remCap -= share
                        linkState[l].unfrozen -= 1
                    }
                }
            }
        }
    }
}
