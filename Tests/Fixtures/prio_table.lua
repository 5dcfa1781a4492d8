-- The API functions are globals and also fields of the table prio, which require "prio" returns.
local names = {"submit", "await_all", "await_any", "current", "jobs", "sleep", "yield", "now",
  "limit", "every", "policy", "reprioritize"}
for _, name in ipairs(names) do
  print(name, type(_G[name]), prio[name] == _G[name])
end
print(require("prio") == prio, type(prio.policies))
