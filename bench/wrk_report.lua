-- wrk script for bench/load.py. Each wrk thread (one connection each) sends its own session
-- cookie from WRK_COOKIES ("cookie|cookie|..."), as separate users' browsers would: one shared
-- session would make every request queue on the same session row. Counts responses that are
-- not 200 (an expired session answers with fast 302s and would flatter the numbers) and
-- prints one parseable result line.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
  local cookies = {}
  for cookie in string.gmatch(os.getenv("WRK_COOKIES") or "", "[^|]+") do
    table.insert(cookies, cookie)
  end
  if #cookies > 0 then
    wrk.headers["Cookie"] = cookies[(id - 1) % #cookies + 1]
  end
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK_RESULT requests=%d seconds=%.3f rps=%.2f p50=%.3f p95=%.3f p99=%.3f max=%.3f " ..
    "not_ok=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    bad, errors.connect + errors.read + errors.write + errors.timeout))
end
