-- Quickstart (grows with the API): writes results/quickstart.csv.
local am = require "amalgam"
local rows = {}
for i = 1, 4 do rows[i] = { step = i, value = i * i } end
print(am.csv.write("quickstart.csv", rows, { columns = { "step", "value" } }))
