// Command globus-setup is a terminal wizard that sets up Globus for an
// inference gateway. This package is wiring only: flags, subcommands, and the
// choice between the full-screen wizard and the script-friendly commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // SIGHUP: the terminal closed; a throwaway demo still cleans up
	code := run(ctx, os.Args[1:], newApp())
	stop()
	os.Exit(code)
}
