module github.com/eventflux-io/eventflux-go

go 1.26.8
