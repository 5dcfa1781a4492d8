--! options: --virtual-time
--! exit: 2
-- The main chunk raising ends the run with exit 2: jobs that ran stay run, jobs still queued are dropped.
submit(1, function() print("early job runs") end)
sleep(1)
submit(1, function() print("queued job never runs") end)
error("main boom")
