print("prio-lua")
