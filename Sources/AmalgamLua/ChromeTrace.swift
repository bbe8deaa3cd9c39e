import AmalgamCore
import AmalgamIO

/// Renders a simulated iteration as Chrome trace / Perfetto JSON: one process for the
/// chips (a track per rank, named with its stage, replica and chip type) and one for the
/// links (a track per link that carried traffic), complete ("X") events in microseconds.
/// Opens in chrome://tracing and ui.perfetto.dev.
public enum ChromeTrace {
    public static func render(_ result: SimulationResult, plan: Plan, cluster: Cluster) -> JSONValue {
        var events: [JSONValue] = []
        func meta(_ name: String, pid: Int, tid: Int? = nil, value: String) -> JSONValue {
            var fields: [(String, JSONValue)] = [("name", .string(name)), ("ph", .string("M")), ("pid", .integer(Int64(pid)))]
            if let tid { fields.append(("tid", .integer(Int64(tid)))) }
            fields.append(("args", .object([("name", .string(value))])))
            return .object(fields)
        }
        events.append(meta("process_name", pid: 1, value: "chips"))
        events.append(meta("process_name", pid: 2, value: "links"))
        for chip in result.chips {
            events.append(meta("thread_name", pid: 1, tid: chip.rank,
                               value: "rank \(chip.rank) · stage \(chip.stage + 1) replica \(chip.replica + 1) · \(chip.chipId)"))
        }
        var links = Set<Int>()
        for e in result.trace { if case .link(let l) = e.track { links.insert(l) } }
        for l in links.sorted() { events.append(meta("thread_name", pid: 2, tid: l, value: cluster.links[l].name)) }
        for e in result.trace {
            let (pid, tid): (Int, Int)
            switch e.track {
            case .chip(let r): (pid, tid) = (1, r)
            case .link(let l): (pid, tid) = (2, l)
            }
            events.append(.object([
                ("name", .string(e.name)), ("cat", .string(e.category)), ("ph", .string("X")),
                ("ts", .number(e.startSeconds * 1e6)), ("dur", .number((e.endSeconds - e.startSeconds) * 1e6)),
                ("pid", .integer(Int64(pid))), ("tid", .integer(Int64(tid))),
            ]))
        }
        return .object([
            ("traceEvents", .array(events)),
            ("displayTimeUnit", .string("ms")),
            ("otherData", .object([
                ("plan_strategy", .string(plan.strategy)),
                ("cluster", .string(cluster.name)),
                ("iteration_s", .number(result.iterationSeconds)),
            ])),
        ])
    }
}
