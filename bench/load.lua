-- wrk scenario for `make load` (bench/load.py runs it): people browsing the dashboard.
-- Each connection walks its own shuffled cycle through the overview (country and a few
-- provinces), indicator pages, province scorecards and a modest filtered CSV export (one
-- indicator, one province and every region below it). Any status outside 200–299 counts
-- as an error here (wrk itself counts only >= 400); done() prints one JSON line.

local paths = {
  "/", "/?region=350000", "/?region=440000", "/?region=510000",
  "/indicators/tap_water_penetration/", "/indicators/internet_penetration/",
  "/indicators/infant_mortality_rate/", "/indicators/village_clinics/",
  "/regions/350000/", "/regions/440000/", "/regions/620000/", "/regions/110000/",
  "/data/export.csv?indicator=tap_water_penetration&region=350000&subregions=1",
  "/data/export.csv?indicator=internet_penetration&region=620000&subregions=1",
}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(2035 + id)
  non2xx = 0
  exports = 0
  order = {}
  for i = 1, #paths do order[i] = i end
  for i = #order, 2, -1 do
    local j = math.random(i)
    order[i], order[j] = order[j], order[i]
  end
  position = 0
end

function request()
  position = position % #order + 1
  local path = paths[order[position]]
  if string.find(path, "export.csv", 1, true) then exports = exports + 1 end
  return wrk.format("GET", path, { ["Accept-Language"] = "zh-CN", ["Accept-Encoding"] = "gzip" })
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad, exported = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    exported = exported + thread:get("exports")
  end
  local e = summary.errors
  io.write(string.format(
    'LOAD_RESULT {"duration_us": %d, "requests": %d, "bytes": %d, "non2xx": %d, ' ..
    '"exports_sent": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %d}\n',
    summary.duration, summary.requests, summary.bytes, bad, exported,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
