-- A tour of the hardware model: build a mixed two-site cluster, look at
-- routes, override them with measurements, and write two CSVs.
--
--   amalgam scripts/cluster_tour.lua [a100_chips] [ascend_chips] [wan_gbps] [wan_latency_ms]
--   amalgam scripts/cluster_tour.lua 64 256 400 10      (the defaults)
--
-- Writes cluster_links.csv (every directed link) and cluster_summary.csv (totals
-- per chip type) under --out (default results/).
local am = require "amalgam"

-- Parameters from the command line, with defaults. tonumber(nil) is nil.
local a100_chips   = math.tointeger(tonumber(arg[1])) or 64
local ascend_chips = math.tointeger(tonumber(arg[2])) or 256
local wan_gbps     = tonumber(arg[3]) or 400   -- WAN line rate, Gb/s per direction
local wan_ms       = tonumber(arg[4]) or 10    -- WAN one-way latency, ms

-- Chips: catalog ids (am.chips() lists them) or your own. A derived chip starts
-- from a catalog entry and replaces some figures (units are in the names).
local ascend_280t = am.chip{ base = "huawei_ascend_910b2", id = "ascend_910b_280t", bf16_tflops = 280 }

local c = am.cluster{
  name = "tour",
  sites = {
    { name = "beijing",
      nodes = {
        { chip = "nvidia_a100_sxm4_80g", count = a100_chips },   -- count = chips
        { chip = "nvidia_h20", nodes = 16 },                     -- nodes = whole 8-chip nodes
      },
      -- Scale-out fabric: per-chip NIC override, latency per link (seconds),
      -- oversubscription at the node uplinks.
      fabric = { kind = "infiniband", nic_gbps = 400, hop_latency_s = 1e-6, oversubscription = 2 } },
    { name = "guiyang",
      nodes = { { chip = "huawei_ascend_910b2", count = ascend_chips },
                { chip = ascend_280t, nodes = 4, name = "older" } } },
  },
  wan = { { "beijing", "guiyang", gbps = wan_gbps, latency_ms = wan_ms } },
}

print(c)   -- one-screen summary, with the assumptions in force
print(("%d chips, %.1f PFLOP/s dense BF16 peak"):format(#c, c.tflops / 1000))

-- Routes between ranks (0-based: beijing's A100s first, then its H20s, then guiyang).
local first_guiyang = a100_chips + 16 * 8
local function show(label, a, b)
  local p = c:path(a, b)
  print(("%-28s %8.1f GB/s  %10.3f µs  via %s"):format(label, p.gbs, p.latency_s * 1e6, p.hops[1] or "-"))
end
show("same A100 node (NVSwitch)", 0, 1)
show("two beijing nodes", 0, 8)
show("beijing -> guiyang (WAN)", 0, first_guiyang)

-- A measured figure replaces the derived path between two endpoints
-- (sites, "site/group" or node names / 0-based node indices; see c:nodes()).
c:connect("beijing", "guiyang", { gbs = 30, latency_s = 0.0105 })
show("WAN after measurement", 0, first_guiyang)

-- Save the specification to share or reload later: am.cluster.from_json(text).
local json = c:to_json()
assert(am.cluster.from_json(json) == c)

print(am.csv.write("cluster_links.csv", c:links()))
print(am.csv.write("cluster_summary.csv", c:summary()))
