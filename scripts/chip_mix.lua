-- Sweep the share of slow chips in a fixed-size cluster: where does adding slow chips
-- stop paying? Fast = NVIDIA A100 80GB (312 dense BF16 TFLOP/s), slow = NVIDIA H20
-- (148, the China-compliant Hopper). For each mix: the uniform plan a homogeneous
-- framework would make, the proportional baseline, Amalgam's planner ("auto"), and the
-- theoretical aggregate: the sum of what each chip type reaches alone with its own best plan.
--
-- Usage: amalgam scripts/chip_mix.lua [nodes] [model] [shares]
--   defaults: 8 nodes of 8 chips, llama2-7b, shares 0,0.25,0.5,0.75,1
-- Writes chip_mix.csv: slow_share, fast_chips, slow_chips, strategy, tokens_per_s, mfu,
-- aggregate_tokens_per_s, efficiency_vs_aggregate.
local am = require "amalgam"

local nodes = tonumber(arg[1] or "") or 8
local model = am.model(arg[2] or "llama2-7b")
local shares = {}
for x in (arg[3] or "0,0.25,0.5,0.75,1"):gmatch("[^,]+") do shares[#shares + 1] = tonumber(x) end
local fast, slow = "nvidia_a100_sxm4_80g", "nvidia_h20"
local batch = { global_batch = 512, micro_batch = 1, zero = 1, recompute = "selective" }

local function best_alone(chip, n)
  if n == 0 then return 0 end
  local c = am.cluster{ name = chip, sites = { { name = "a", nodes = { { chip = chip, nodes = n } } } } }
  local opts = { cluster = c, model = model, strategy = "auto" }
  for k, v in pairs(batch) do opts[k] = v end
  return am.simulate{ plan = am.plan(opts) }.tokens_per_s
end

local rows = {}
for _, share in ipairs(shares) do
  local slow_nodes = math.floor(share * nodes + 0.5)
  local fast_nodes = nodes - slow_nodes
  local groups = {}
  if fast_nodes > 0 then groups[#groups + 1] = { chip = fast, nodes = fast_nodes } end
  if slow_nodes > 0 then groups[#groups + 1] = { chip = slow, nodes = slow_nodes } end
  local cluster = am.cluster{ name = "mix", sites = { { name = "a", nodes = groups } } }
  local aggregate = best_alone(fast, fast_nodes) + best_alone(slow, slow_nodes)
  for _, strategy in ipairs{ "uniform", "proportional", "auto" } do
    local opts = { cluster = cluster, model = model, strategy = strategy }
    for k, v in pairs(batch) do opts[k] = v end
    local ok, plan = pcall(am.plan, opts)
    if ok then
      local r = am.simulate{ plan = plan }
      rows[#rows + 1] = { slow_share = slow_nodes / nodes, fast_chips = 8 * fast_nodes, slow_chips = 8 * slow_nodes,
                          strategy = strategy, tokens_per_s = r.tokens_per_s, mfu = r.mfu,
                          aggregate_tokens_per_s = aggregate, efficiency_vs_aggregate = r.tokens_per_s / aggregate }
      io.stderr:write(string.format("slow share %.2f  %-12s %9.0f tokens/s  %5.1f%% of aggregate\n",
        slow_nodes / nodes, strategy, r.tokens_per_s, 100 * r.tokens_per_s / aggregate))
    else
      io.stderr:write(string.format("slow share %.2f  %-12s no plan: %s\n", slow_nodes / nodes, strategy, plan))
    end
  end
end
am.csv.write("chip_mix.csv", rows, { columns = { "slow_share", "fast_chips", "slow_chips", "strategy", "tokens_per_s",
  "mfu", "aggregate_tokens_per_s", "efficiency_vs_aggregate" } })
