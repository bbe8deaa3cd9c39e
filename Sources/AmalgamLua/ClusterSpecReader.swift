import AmalgamCore
import AmalgamIO

/// Converts the Lua tables of `am.cluster{...}`, `c:add_site{...}` and
/// `c:add_nodes(...)` into core specifications. Reading only: every check on
/// the values themselves is the core's (`ClusterSpec.compile()`).
///
/// Units: bandwidths `gbs` (GB/s) and `gbps` (Gb/s) as in the core; latencies
/// in seconds (`_s`) everywhere except WAN links, which take `latency_ms`
/// (WAN latencies are quoted in milliseconds).
enum ClusterSpecReader {
    static func cluster(_ o: LuaOptions) throws -> ClusterSpec {
        let name = try o.string("name", default: "cluster")
        guard let sites = try o.array("sites", { s, _ in try site(s) }) else {
            throw LuaError.message("\(o.context): option 'sites' is required (an array of { name = ..., nodes = { ... } })")
        }
        let wan = try o.array("wan") { w, _ in try wanLink(w) } ?? []
        let routing = try o.choice("wan_routing", WanRouting.allCases.map(\.rawValue)).flatMap(WanRouting.init(rawValue:))
        try o.finish()
        return ClusterSpec(name: name, sites: sites, wan: wan, wanRouting: routing ?? .shortestLatency)
    }

    static func site(_ o: LuaOptions) throws -> SiteSpec {
        let name = try o.requiredString("name")
        guard let groups = try o.array("nodes", { g, _ in try group(g) }) else {
            throw LuaError.message("\(o.context): option 'nodes' is required (an array of { chip = ..., count = N })")
        }
        let fabric = try o.table("fabric") { f in
            ScaleOutSpec(kind: try f.string("kind").map(FabricKind.named) ?? .infiniband,
                         nicGbps: try f.number("nic_gbps"),
                         hopLatencySeconds: try f.number("hop_latency_s"),
                         oversubscription: try f.number("oversubscription", default: 1))
        } ?? ScaleOutSpec()
        let crossVendor = try o.table("cross_vendor") { c in
            let mode = try c.choice("mode", CrossVendorMode.allCases.map(\.rawValue)).flatMap(CrossVendorMode.init(rawValue:))
            return CrossVendorSpec(mode: mode ?? .deviceRDMA,
                                   gbs: try c.number("gbs", default: CrossVendorSpec.assumedBounceGBs),
                                   latencySeconds: try c.number("latency_s", default: CrossVendorSpec.assumedBounceLatencySeconds))
        } ?? .deviceRDMA
        return SiteSpec(name: name, groups: groups, scaleOut: fabric, crossVendor: crossVendor)
    }

    /// A node group; the caller (or `items`) finishes the table.
    static func group(_ o: LuaOptions) throws -> NodeGroupSpec {
        let chip: ChipRef
        switch try o.stringOrObject("chip", HardwareBindings.chipClass) {
        case .string(let id)?: chip = .catalog(id)
        case .object(let c)?:
            // A catalog chip passed as an object stays a reference (smaller JSON);
            // a custom or derived one is carried whole.
            chip = ChipCatalog.contains(c.id) && (try? ChipCatalog.chip(c.id)) == c ? .catalog(c.id) : .custom(c)
        case nil:
            throw LuaError.message("\(o.context): option 'chip' is required (a catalog id such as \"nvidia_h20\" or a Chip from am.chip)")
        }
        let topology = try o.choice("intra_topology", IntraTopology.allCases.map(\.rawValue)).flatMap(IntraTopology.init(rawValue:))
        return NodeGroupSpec(chip: chip, chips: try o.integer("count"), nodes: try o.integer("nodes"),
                             name: try o.string("name"), chipsPerNode: try o.integer("chips_per_node"),
                             intraLinkGBs: try o.number("intra_link_gbs"), intraTopology: topology,
                             intraHopLatencySeconds: try o.number("intra_hop_latency_s"),
                             nicGbps: try o.number("nic_gbps"), nicsPerNode: try o.integer("nics_per_node"),
                             pcieGBs: try o.number("pcie_gbs"))
    }

    /// `{ "site_a", "site_b", gbps = ..., latency_ms = ... }`.
    static func wanLink(_ o: LuaOptions) throws -> WanLinkSpec {
        guard let a = try o.positionalString(1), let b = try o.positionalString(2) else {
            throw LuaError.message("\(o.context): give the two site names first: { \"site_a\", \"site_b\", gbps = ..., latency_ms = ... }")
        }
        return WanLinkSpec(a, b, gbps: try o.requiredNumber("gbps"), latencyMs: try o.requiredNumber("latency_ms"))
    }

    /// An endpoint argument of `c:connect`: a node index (0-based) or the
    /// string forms the core parses (`site`, `site/group`, `site/group/n3`).
    static func endpoint(_ call: LuaCall, _ n: Int32) throws -> Endpoint {
        if call.isNumber(n) { return .node(try call.integer(n)) }
        if call.isString(n) { return Endpoint.parse(try call.string(n)) }
        throw call.typeError(n, "site/group/node name or node index")
    }

    /// The columns of a measured-links CSV, in the order `c:load_matrix` documents.
    static let matrixColumns = ["from", "to", "gbs", "latency_s"]

    /// Rows of a measured-links CSV as core measurements; `path` is for messages.
    static func measurements(columns: [String], rows: [[CSVValue]], path: String) throws -> [NodePairMeasurement] {
        for c in columns where !matrixColumns.contains(c) {
            throw LuaError.message("\(path): " + AmalgamError.unknown("column", c, among: matrixColumns).message
                + " (expected columns \(matrixColumns.joined(separator: ",")))")
        }
        var at: [Int] = []
        for c in matrixColumns {
            guard let i = columns.firstIndex(of: c) else {
                throw LuaError.message("\(path): missing column '\(c)' (expected columns \(matrixColumns.joined(separator: ",")))")
            }
            at.append(i)
        }
        return try rows.enumerated().map { r, row in
            func cell(_ k: Int) -> CSVValue { at[k] < row.count ? row[at[k]] : .missing }
            func text(_ k: Int) throws -> String {
                guard case .text(let s) = cell(k) else {
                    throw LuaError.message("\(path): row \(r + 1): '\(matrixColumns[k])' must be a node name like 'site/group/n0'")
                }
                return s
            }
            func number(_ k: Int) throws -> Double {
                switch cell(k) {
                case .integer(let i): return Double(i)
                case .number(let d): return d
                default: throw LuaError.message("\(path): row \(r + 1): '\(matrixColumns[k])' must be a number")
                }
            }
            return NodePairMeasurement(from: try text(0), to: try text(1), gbs: try number(2), latencySeconds: try number(3))
        }
    }
}
