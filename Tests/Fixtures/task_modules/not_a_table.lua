-- A task module must return a table.
return 42
