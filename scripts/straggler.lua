-- One slow node in a data-parallel job: how much throughput a uniform split loses, and
-- how much re-splitting the batch (fewer micro-batches for the slow replica) wins back.
--
-- Usage: amalgam scripts/straggler.lua [nodes] [model] [factors]
--   nodes    A100 nodes (default 4; one TP-8 replica per node)
--   model    preset id (default gpt3-6.7b)
--   factors  comma-separated slowdowns of node 0's chips (default 1,1.25,1.5,2,3,4)
-- Writes straggler.csv: slowdown, strategy (uniform | replanned), iteration_s, tokens_per_s,
-- relative_throughput (against the same plan with no straggler).
local am = require "amalgam"

local nodes = tonumber(arg[1] or "") or 4
local model = am.model(arg[2] or "gpt3-6.7b")
local factors = {}
for f in (arg[3] or "1,1.25,1.5,2,3,4"):gmatch("[^,]+") do factors[#factors + 1] = tonumber(f) end

local cluster = am.cluster{ name = "dp", sites = { { name = "a", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = nodes } } } } }
local plan = am.plan{ cluster = cluster, model = model, strategy = "uniform", tp = 8, pp = 1,
                      global_batch = 64 * nodes, micro_batch = 2, zero = 1, recompute = "selective" }
local base = am.simulate{ plan = plan }

local rows = {}
for _, factor in ipairs(factors) do
  local slow = {}
  for rank = 0, 7 do slow[rank] = factor end      -- every chip of node 0
  for _, variant in ipairs{ { "uniform", false }, { "replanned", true } } do
    local r = am.simulate{ plan = plan, slowdown = slow, rebalance = variant[2] }
    rows[#rows + 1] = { slowdown = factor, strategy = variant[1], iteration_s = r.iteration_s,
                        tokens_per_s = r.tokens_per_s, relative_throughput = r.tokens_per_s / base.tokens_per_s }
    print(string.format("slowdown %4.2fx  %-9s  %7.3f s/iteration  %5.1f%% of the healthy cluster",
      factor, variant[1], r.iteration_s, 100 * r.tokens_per_s / base.tokens_per_s))
  end
end
am.csv.write("straggler.csv", rows, { columns = { "slowdown", "strategy", "iteration_s", "tokens_per_s", "relative_throughput" } })
