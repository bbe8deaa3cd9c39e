-- Quickstart: a small mixed cluster (NVIDIA A100 + Huawei Ascend 910B2 in two data
-- centres), a 7B model, the plan a homogeneous framework would make vs Amalgam's
-- heterogeneity-aware plan, one simulated iteration each. Writes results/quickstart.csv.
local am = require "amalgam"

local cluster = am.cluster{
  name = "quickstart",
  sites = {
    { name = "beijing", nodes = { { chip = "nvidia_a100_sxm4_80g", nodes = 2 } } },
    { name = "guiyang", nodes = { { chip = "huawei_ascend_910b2", nodes = 2 } } },
  },
  wan = { { "beijing", "guiyang", gbps = 400, latency_ms = 5 } },
}
print(cluster)

local rows = {}
for _, strategy in ipairs{ "uniform", "auto" } do
  local plan = am.plan{ cluster = cluster, model = "llama2-7b", global_batch = 256, micro_batch = 1,
                        zero = 1, recompute = "selective", strategy = strategy }
  local r = am.simulate{ plan = plan }
  print(string.format("%-8s pp=%d dp=%d  %.2f s/iteration  %.0f tokens/s  MFU %.1f%%",
    strategy, plan.pp, plan.dp, r.iteration_s, r.tokens_per_s, 100 * r.mfu))
  rows[#rows + 1] = { strategy = strategy, chips = #cluster, pp = plan.pp, dp = plan.dp,
                      iteration_s = r.iteration_s, tokens_per_s = r.tokens_per_s, mfu = r.mfu }
end
am.csv.write("quickstart.csv", rows, { columns = { "strategy", "chips", "pp", "dp", "iteration_s", "tokens_per_s", "mfu" } })
