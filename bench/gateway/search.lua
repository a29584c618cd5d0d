-- wrk script: audited plate searches (POST /v1/search on plate_reads),
-- cycling through the plates in $HAVEN_PLATES (one a line) with the token in
-- $HAVEN_TOKEN. Every request is formatted once, up front (a distinct case
-- number for each plate), so that wrk spends its time sending rather than
-- building requests in Lua: wrk shares the machine's two cores with the
-- server it measures. wrk counts non-2xx answers, and the bench script
-- prints that count, so that a run with refusals is not mistaken for a fast
-- one.
local token = os.getenv("HAVEN_TOKEN")
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/json",
}
local requests = {}
for plate in io.lines(os.getenv("HAVEN_PLATES")) do
  local n = #requests + 1
  local body = '{"dataset":"plate_reads","filter":{"plate":"' .. plate ..
      '"},"purpose":"criminal-investigation","case_number":"BENCH-' ..
      n .. '","reason":"benchmark"}'
  requests[n] = wrk.format("POST", "/v1/search", headers, body)
end
local counter = 0

request = function()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end
