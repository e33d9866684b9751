-- Argo CD health for causeway.dev/Evolution, read from the status the controller writes.
-- Healthy: every step converged, nothing drifted. Progressing: steps under way, or the
-- controller has not seen this generation yet. Suspended: paused, or a step waits for an
-- acknowledgment (a person must act). Degraded: halted, failed, compensating, refused,
-- invalid, or someone changed what a step applied (unresolved drift).
local hs = {}
local status = obj.status
local generation = obj.metadata and obj.metadata.generation
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Causeway controller to observe the Evolution"
  return hs
end
if generation ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Causeway controller to observe generation " .. tostring(generation)
  return hs
end
local message = status.message or ""
if (status.drifted or 0) > 0 then
  local detail = ""
  for _, condition in ipairs(status.conditions or {}) do
    if condition.type == "Drifted" then detail = condition.message or "" end
  end
  hs.status = "Degraded"
  hs.message = detail ~= "" and detail or (tostring(status.drifted) .. " unresolved deviation(s) from what the steps applied")
  return hs
end
local phase = status.phase
if phase == "Converged" then
  hs.status = "Healthy"
elseif phase == "Halted" or phase == "Failed" or phase == "Invalid" or phase == "Compensating" then
  hs.status = "Degraded"
elseif phase == "Paused" then
  hs.status = "Suspended"
else
  hs.status = "Progressing"
  for _, step in ipairs(status.steps or {}) do
    if step.phase == "WaitingForAcknowledgment" then
      hs.status = "Suspended"
      message = "Step " .. step.name .. " waits for an acknowledgment: kubectl causeway ack " .. (obj.metadata.name or "") .. " " .. step.name
    end
  end
end
hs.message = message
return hs
