/// The built-in policies, written in Lua so users can read them as examples
/// of `policy(...)` tables (docs/policies.md shows this source). Each is a
/// function in `prio.policies` that returns a policy table.
enum BuiltinPolicies {
    static let chunkName = "=[prio.policies]"

    static let source = #"""
        local policies = ...

        -- aging{rate = r, interval = s}: a job's effective priority falls by r per
        -- second it has waited since submission, re-evaluated every s seconds, so
        -- low-priority work cannot starve behind a steady stream of urgent jobs.
        function policies.aging(opts)
          opts = opts or {}
          local rate = opts.rate or 1
          local interval = opts.interval or 1
          assert(type(rate) == "number" and rate >= 0, "aging: rate must be a non-negative number")
          assert(type(interval) == "number" and interval > 0, "aging: interval must be a positive number")
          return {
            interval = interval,
            priority = function(job, now)
              return job.base_priority - rate * (now - job.submitted_at)
            end,
          }
        end

        -- edf(): earliest deadline first. A job with a deadline gets its deadline
        -- (absolute, in now() seconds) as its priority; jobs without one come after
        -- all of those, ordered by base priority.
        local NO_DEADLINE = 1e12
        function policies.edf()
          return {
            priority = function(job)
              if job.deadline then return job.deadline end
              return NO_DEADLINE + job.base_priority
            end,
          }
        end

        -- fair{by = "group", weights = {name = w, ...}}: slots are shared between
        -- groups in proportion to their weights (default 1). The next free slot goes
        -- to the group whose slot time so far divided by its weight is smallest;
        -- within a group, base priority then FIFO. The scheduler core keeps the
        -- slot time; the policy field `fair` switches it on with these weights.
        function policies.fair(opts)
          opts = opts or {}
          local by = opts.by or "group"
          assert(by == "group", "fair: only by = \"group\" is supported")
          local weights = opts.weights or {}
          for name, weight in pairs(weights) do
            assert(type(name) == "string" and type(weight) == "number" and weight > 0,
              "fair: weights must map group names to positive numbers")
          end
          return { fair = weights }
        end
        """#
}
