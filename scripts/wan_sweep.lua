-- Two data centres joined by a WAN: which parallelism should cross it?
-- Same chips, same model, same layer split; only the placement changes:
--   single_site          all nodes in one site (the reference)
--   pipeline_across_wan  stage 1 in site a, stage 2 in site b: only activations cross the WAN
--   dp_across_wan        each stage has replicas in both sites: gradients all-reduce over the WAN
--
-- Usage: amalgam scripts/wan_sweep.lua [nodes_per_site] [model] [gbps_list] [latency_ms_list]
--   defaults: 4 A100 nodes per site, gpt3-6.7b, WAN 10..3200 Gb/s, latency 1,10,30 ms
-- Writes wan_sweep.csv: wan_gbps, wan_latency_ms, placement, tokens_per_s,
-- relative_to_single_site, compute_to_wan_ratio (a site's aggregate NIC Gb/s / WAN Gb/s).
local am = require "amalgam"

local per_site = tonumber(arg[1] or "") or 4
local model = am.model(arg[2] or "gpt3-6.7b")
local function list(text, default)
  local out = {}
  for x in (text or default):gmatch("[^,]+") do out[#out + 1] = tonumber(x) end
  return out
end
local bandwidths = list(arg[3], "10,25,50,100,200,400,800,1600,3200")
local latencies = list(arg[4], "1,10,30")

local chip = am.chip "nvidia_a100_sxm4_80g"
local config = { global_batch = 128 * per_site, micro_batch = 2, zero = 1, recompute = "selective" }
local blocks = model.blocks
local function plan_for(cluster, stage_nodes)
  -- Layers 0-based inclusive: embedding + first half of the blocks, then the rest + LM head.
  local split = { { 0, blocks // 2 }, { blocks // 2 + 1, blocks + 1 } }
  local stages = {}
  for s, nodes in ipairs(stage_nodes) do
    local replicas = {}
    for _, node in ipairs(nodes) do
      local ranks = {}
      for i = 0, 7 do ranks[#ranks + 1] = node * 8 + i end
      replicas[#replicas + 1] = { ranks = ranks, microbatches = config.global_batch // config.micro_batch // #nodes }
    end
    stages[s] = { layers = split[s], replicas = replicas }
  end
  local p = { cluster = cluster, model = model, stages = stages }
  for k, v in pairs(config) do p[k] = v end
  return am.plan(p)
end

local a, b = {}, {}
for n = 0, per_site - 1 do a[#a + 1] = n; b[#b + 1] = per_site + n end
local half = per_site // 2
local mixed1, mixed2 = {}, {}
for n = 0, half - 1 do mixed1[#mixed1 + 1] = n; mixed1[#mixed1 + 1] = per_site + n end
for n = half, per_site - 1 do mixed2[#mixed2 + 1] = n; mixed2[#mixed2 + 1] = per_site + n end

local single = am.cluster{ name = "one-site", sites = { { name = "a", nodes = { { chip = chip, nodes = 2 * per_site } } } } }
local reference = am.simulate{ plan = plan_for(single, { a, b }) }
local site_nic_gbps = per_site * 8 * chip.nic_gbps

local rows = {}
for _, latency in ipairs(latencies) do
  for _, gbps in ipairs(bandwidths) do
    local cluster = am.cluster{ name = "two-sites",
      sites = { { name = "a", nodes = { { chip = chip, nodes = per_site } } },
                { name = "b", nodes = { { chip = chip, nodes = per_site } } } },
      wan = { { "a", "b", gbps = gbps, latency_ms = latency } } }
    for _, placement in ipairs{ { "single_site", nil }, { "pipeline_across_wan", { a, b } }, { "dp_across_wan", { mixed1, mixed2 } } } do
      local r = placement[2] and am.simulate{ plan = plan_for(cluster, placement[2]) } or reference
      rows[#rows + 1] = { wan_gbps = gbps, wan_latency_ms = latency, placement = placement[1], tokens_per_s = r.tokens_per_s,
                          relative_to_single_site = r.tokens_per_s / reference.tokens_per_s,
                          compute_to_wan_ratio = site_nic_gbps / gbps }
    end
    io.stderr:write(string.format("WAN %5g Gb/s %3g ms (%4.0f:1): pipeline across %5.1f%%, data parallel across %5.1f%%\n",
      gbps, latency, site_nic_gbps / gbps, 100 * rows[#rows - 1].relative_to_single_site, 100 * rows[#rows].relative_to_single_site))
  end
end
am.csv.write("wan_sweep.csv", rows, { columns = { "wan_gbps", "wan_latency_ms", "placement", "tokens_per_s",
  "relative_to_single_site", "compute_to_wan_ratio" } })
