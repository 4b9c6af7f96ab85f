module example.com/regsim-go-applier

go 1.19
