--! options: -j 1 --virtual-time --events -
-- An await that ends is reported when it ends, not when the waiter next runs:
-- the target's priority goes back at once ("inheritance ended"), and a
-- waiter whose timeout passed while every slot is taken is "woken" (status
-- pending) until it is resumed. Cancelling a waiter ends its target's
-- inheritance at the cancel.
local b = submit(10, function() sleep(2) end, {name = "B"})
submit(1, function() local ok, err = pcall(b.await, b, 1); print("A", ok, err, now()) end, {name = "A"})
sleep(3)
local d = submit(10, function() sleep(2) end, {name = "D"})
local c = submit(1, function() d:await() end, {name = "C"})
sleep(0.5)
c:cancel()
print("C", c.status, "D", d.priority, now())
